#include "snapshot/memory_image.h"

#include <sys/mman.h>
#include <unistd.h>
#include <zstd.h>

#include "snapshot/state_stream.h"

namespace vessel::snapshot {
namespace {

constexpr uint64_t kMaxRunPages = 256;  // 1 MiB per run: bounded work per zstd frame

bool zero_page(const uint8_t* p) {
  const auto* w = reinterpret_cast<const uint64_t*>(p);
  uint64_t acc = 0;
  for (size_t i = 0; i < kSnapshotPageSize / 8; ++i) acc |= w[i];
  return acc == 0;
}

// Which pages the host has backed: untouched pages of an anonymous mapping are not resident
// and read as zero, so they need no look at all.
std::vector<unsigned char> resident_pages(const uint8_t* host, uint64_t size) {
  std::vector<unsigned char> v(size / kSnapshotPageSize, 1);
  const uint64_t host_page = static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
  if (host_page == kSnapshotPageSize && reinterpret_cast<uintptr_t>(host) % host_page == 0)
    if (mincore(const_cast<uint8_t*>(host), size, v.data()) != 0) std::fill(v.begin(), v.end(), 1);
  return v;
}

// Runs of non-zero pages: [first, first + count).
std::vector<std::pair<uint64_t, uint64_t>> nonzero_runs(const uint8_t* host, uint64_t size) {
  const uint64_t pages = size / kSnapshotPageSize;
  const std::vector<unsigned char> resident = resident_pages(host, size);
  std::vector<std::pair<uint64_t, uint64_t>> runs;
  for (uint64_t p = 0; p < pages; ++p) {
    if (!(resident[p] & 1) || zero_page(host + p * kSnapshotPageSize)) continue;
    if (!runs.empty() && runs.back().first + runs.back().second == p && runs.back().second < kMaxRunPages)
      ++runs.back().second;
    else
      runs.emplace_back(p, 1);
  }
  return runs;
}

}  // namespace

std::vector<std::pair<const uint8_t*, size_t>> EncodedMemory::spans() const {
  std::vector<std::pair<const uint8_t*, size_t>> out;
  for (const Piece& p : pieces) out.emplace_back(p.external ? p.external : own.data() + p.offset, p.size);
  return out;
}

std::vector<uint8_t> EncodedMemory::flatten() const {
  std::vector<uint8_t> out;
  for (const auto& [data, len] : spans()) out.insert(out.end(), data, data + len);
  return out;
}

EncodedMemory encode_memory_pieces(const uint8_t* host, uint64_t size, int level, uint64_t file_offset,
                                   MemoryImageStats& stats) {
  const auto runs = nonzero_runs(host, size);
  EncodedMemory m;
  StateWriter own;
  size_t piece_start = 0;  // where the current piece of `own` begins
  uint64_t encoded = 0;    // bytes in finished pieces
  auto end_own_piece = [&] {
    const size_t end = own.data().size();
    if (end > piece_start) m.pieces.push_back({nullptr, piece_start, end - piece_start});
    encoded += end - piece_start;
    piece_start = end;
  };
  own.u64(size);
  own.u32(kSnapshotPageSize);
  own.u64(runs.size());
  ZSTD_CCtx* cctx = level > 0 ? ZSTD_createCCtx() : nullptr;
  if (cctx) ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, level);
  std::vector<uint8_t> frame(cctx ? ZSTD_compressBound(kMaxRunPages * kSnapshotPageSize) : 0);
  stats = {};
  for (const auto& [first, n] : runs) {
    const uint8_t* at = host + first * kSnapshotPageSize;
    const size_t bytes = n * kSnapshotPageSize;
    const size_t c = cctx ? ZSTD_compress2(cctx, frame.data(), frame.size(), at, bytes) : 0;
    own.u64(first);
    own.u32(static_cast<uint32_t>(n));
    if (c == 0 || ZSTD_isError(c)) {  // stored (level 0, or if zstd failed: never lose data)
      own.u32(0);
      const uint64_t here = file_offset + encoded + (own.data().size() - piece_start) + 4;
      const uint32_t pad = static_cast<uint32_t>((kSnapshotPageSize - here % kSnapshotPageSize) % kSnapshotPageSize);
      own.u32(pad);
      static const uint8_t zeros[kSnapshotPageSize] = {};
      own.raw(zeros, pad);
      end_own_piece();
      m.pieces.push_back({at, 0, bytes});  // written from guest memory itself
      encoded += bytes;
    } else {
      own.u32(static_cast<uint32_t>(c));
      own.raw(frame.data(), c);
    }
    stats.pages_saved += n;
    ++stats.runs;
  }
  end_own_piece();
  if (cctx) ZSTD_freeCCtx(cctx);
  m.own = own.take();
  return m;
}

std::vector<uint8_t> encode_memory(const uint8_t* host, uint64_t size, int level, uint64_t file_offset,
                                   MemoryImageStats& stats) {
  return encode_memory_pieces(host, size, level, file_offset, stats).flatten();
}

bool decode_memory(const uint8_t* data, size_t len, uint8_t* host, uint64_t size, std::string& error,
                   MemoryImageStats* stats, const MemoryImageFile* file) {
  StateReader in(data, len, "memory");
  const uint64_t saved_size = in.u64();
  const uint32_t page = in.u32();
  const uint64_t runs = in.u64();
  if (!in.ok()) {
    error = in.error();
    return false;
  }
  if (saved_size != size || page != kSnapshotPageSize) {
    error = "memory: snapshot holds " + std::to_string(saved_size) + " bytes in " + std::to_string(page) +
            "-byte pages, the VM has " + std::to_string(size);
    return false;
  }
  const uint64_t pages = size / kSnapshotPageSize;
  ZSTD_DCtx* dctx = ZSTD_createDCtx();
  uint64_t next_free = 0, saved = 0;
  for (uint64_t r = 0; r < runs && in.ok(); ++r) {
    const uint64_t first = in.u64();
    const uint32_t n = in.u32();
    const uint32_t clen = in.u32();
    if (!in.ok()) break;
    if (n == 0 || n > kMaxRunPages || first < next_free || first > pages || n > pages - first) {
      in.fail("run " + std::to_string(r) + " (pages " + std::to_string(first) + "+" + std::to_string(n) +
              ") is out of order or outside memory");
      break;
    }
    uint8_t* dst = host + first * kSnapshotPageSize;
    const size_t bytes = size_t{n} * kSnapshotPageSize;
    if (clen == 0) {
      const uint32_t pad = in.u32();
      if (pad >= kSnapshotPageSize) in.fail("run " + std::to_string(r) + " has a bad padding");
      in.take(pad);
      const uint8_t* src = in.take(bytes);
      if (!src) break;
      const uint64_t at = file ? file->offset + static_cast<uint64_t>(src - data) : 1;
      // Copy-on-write from the file when it is page-aligned there; a copy otherwise.
      if (!file || at % kSnapshotPageSize != 0 ||
          mmap(dst, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_FIXED, file->fd, static_cast<off_t>(at)) ==
              MAP_FAILED)
        memcpy(dst, src, bytes);
    } else {
      const uint8_t* src = in.take(clen);
      if (!src) break;
      // One call backs the whole run: far cheaper than a page fault per page (notably when the
      // host itself is virtualised). Best effort: without it the pages fault in as written.
      (void)madvise(dst, bytes, MADV_POPULATE_WRITE);
      const size_t d = ZSTD_decompressDCtx(dctx, dst, bytes, src, clen);
      if (ZSTD_isError(d) || d != bytes) {
        in.fail("run " + std::to_string(r) + " does not decompress to " + std::to_string(bytes) + " bytes");
        break;
      }
    }
    next_free = first + n;
    saved += n;
  }
  ZSTD_freeDCtx(dctx);
  if (!in.finish()) {
    error = in.error();
    return false;
  }
  if (stats) *stats = {saved, runs};
  return true;
}

}  // namespace vessel::snapshot
