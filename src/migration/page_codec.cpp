#include "migration/page_codec.h"

#include <zstd.h>

#include <cstring>

namespace vessel::migration {
namespace {

constexpr uint8_t kRaw = 0, kZstd = 1;
constexpr uint32_t kZeroRun = 0, kDataRun = 1;
constexpr size_t kHeader = 8, kRunBytes = 16;
constexpr int kZstdLevel = 1;  // fastest: the link, not the CPU, should be the limit

void put_le(std::vector<uint8_t>& out, uint64_t v, unsigned n) {
  for (unsigned i = 0; i < n; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}
uint64_t get_le(const uint8_t* p, unsigned n) {
  uint64_t v = 0;
  for (unsigned i = 0; i < n; ++i) v |= uint64_t{p[i]} << (8 * i);
  return v;
}

}  // namespace

bool is_zero_page(const uint8_t* p) {
  uint64_t acc = 0;
  for (size_t i = 0; i < kPageBytes; i += 8) {
    uint64_t w;
    memcpy(&w, p + i, 8);
    acc |= w;
  }
  return acc == 0;
}

PageEncoder::PageEncoder(bool compress) {
  if (compress) {
    cctx_ = ZSTD_createCCtx();
    ZSTD_CCtx_setParameter(cctx_, ZSTD_c_compressionLevel, kZstdLevel);
  }
}

PageEncoder::~PageEncoder() { ZSTD_freeCCtx(cctx_); }

void PageEncoder::encode(const uint8_t* host, const uint64_t* pages, size_t n, const unsigned char* absent,
                         PageBatch& out) {
  struct Run {
    uint64_t first;
    uint32_t count, kind;
  };
  std::vector<Run> runs;
  data_.clear();
  out.data_pages = out.zero_pages = 0;
  for (size_t i = 0; i < n; ++i) {
    const uint8_t* p = host + pages[i] * kPageBytes;
    const bool zero = (absent && absent[i]) || is_zero_page(p);
    const uint32_t kind = zero ? kZeroRun : kDataRun;
    if (!runs.empty() && runs.back().kind == kind && runs.back().first + runs.back().count == pages[i])
      ++runs.back().count;
    else
      runs.push_back({pages[i], 1, kind});
    if (zero) {
      ++out.zero_pages;
    } else {
      // A copy: the guest may write the page meanwhile (it is then dirty again and resent).
      data_.insert(data_.end(), p, p + kPageBytes);
      ++out.data_pages;
    }
  }
  std::vector<uint8_t>& o = out.payload;
  o.clear();
  const bool compress = cctx_ && !data_.empty();
  o.push_back(compress ? kZstd : kRaw);
  o.insert(o.end(), 3, 0);
  put_le(o, runs.size(), 4);
  for (const Run& r : runs) {
    put_le(o, r.first, 8);
    put_le(o, r.count, 4);
    put_le(o, r.kind, 4);
  }
  if (!compress) {
    o.insert(o.end(), data_.begin(), data_.end());
    return;
  }
  put_le(o, data_.size(), 8);
  const size_t at = o.size();
  o.resize(at + ZSTD_compressBound(data_.size()));
  const size_t z = ZSTD_compress2(cctx_, o.data() + at, o.size() - at, data_.data(), data_.size());
  if (ZSTD_isError(z)) {  // cannot happen with a bound-sized buffer; send raw to be safe
    o.resize(kHeader + runs.size() * kRunBytes);
    o[0] = kRaw;
    o.insert(o.end(), data_.begin(), data_.end());
    return;
  }
  o.resize(at + z);
}

PageDecoder::PageDecoder(uint8_t* host, uint64_t pages) : host_(host), pages_(pages), written_(pages, false) {}

PageDecoder::~PageDecoder() { ZSTD_freeDCtx(dctx_); }

Result<bool> PageDecoder::apply(const uint8_t* payload, size_t len) {
  auto bad = [](const std::string& why) { return Error{"malformed migration stream: page record: " + why}; };
  if (len < kHeader) return bad("too short");
  const uint8_t encoding = payload[0];
  if (encoding != kRaw && encoding != kZstd) return bad("unknown encoding " + std::to_string(encoding));
  const uint64_t nruns = get_le(payload + 4, 4);
  if (nruns > kPagesPerRecord * 4 || nruns * kRunBytes > len - kHeader) return bad("run table does not fit");
  const uint8_t* runs = payload + kHeader;
  uint64_t data_pages = 0;
  for (uint64_t i = 0; i < nruns; ++i) {
    const uint8_t* r = runs + i * kRunBytes;
    const uint64_t first = get_le(r, 8), count = get_le(r + 8, 4), kind = get_le(r + 12, 4);
    if (kind != kZeroRun && kind != kDataRun) return bad("unknown run kind " + std::to_string(kind));
    if (count == 0 || first >= pages_ || count > pages_ - first) return bad("pages outside guest memory");
    if (kind == kDataRun) data_pages += count;
  }
  if (data_pages > kPagesPerRecord * 4) return bad("too many pages");
  const uint8_t* rest = runs + nruns * kRunBytes;
  size_t rest_len = len - kHeader - nruns * kRunBytes;
  const uint64_t want = data_pages * kPageBytes;
  const uint8_t* data = rest;
  if (encoding == kZstd) {
    if (rest_len < 8 || get_le(rest, 8) != want) return bad("compressed size does not match its runs");
    if (!dctx_) dctx_ = ZSTD_createDCtx();
    data_.resize(want);
    const size_t got = ZSTD_decompressDCtx(dctx_, data_.data(), want, rest + 8, rest_len - 8);
    if (ZSTD_isError(got) || got != want) return bad("zstd frame does not decode to its pages");
    data = data_.data();
  } else if (rest_len != want) {
    return bad("data length " + std::to_string(rest_len) + " does not match its runs (" + std::to_string(want) + ")");
  }
  for (uint64_t i = 0; i < nruns; ++i) {
    const uint8_t* r = runs + i * kRunBytes;
    const uint64_t first = get_le(r, 8), count = get_le(r + 8, 4), kind = get_le(r + 12, 4);
    for (uint64_t p = first; p < first + count; ++p) {
      uint8_t* dst = host_ + p * kPageBytes;
      if (kind == kDataRun) {
        memcpy(dst, data, kPageBytes);
        data += kPageBytes;
        written_[p] = true;
        ++data_pages_;
      } else {
        if (written_[p]) memset(dst, 0, kPageBytes);  // untouched memory is zero already
        written_[p] = false;
        ++zero_pages_;
      }
    }
  }
  return true;
}

}  // namespace vessel::migration
