#include "snapshot/memory_image.h"

#include <sys/mman.h>
#include <unistd.h>
#include <zstd.h>

#include "snapshot/state_stream.h"

namespace vessel::snapshot {
namespace {

constexpr uint64_t kMaxRunPages = 256;  // 1 MiB per zstd frame: bounded work per run

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

}  // namespace

std::vector<uint8_t> encode_memory(const uint8_t* host, uint64_t size, int level, MemoryImageStats& stats) {
  const uint64_t pages = size / kSnapshotPageSize;
  const std::vector<unsigned char> resident = resident_pages(host, size);
  std::vector<uint8_t> nonzero(pages, 0);
  for (uint64_t p = 0; p < pages; ++p)
    nonzero[p] = (resident[p] & 1) && !zero_page(host + p * kSnapshotPageSize);

  StateWriter out;
  out.u64(size);
  out.u32(kSnapshotPageSize);
  ZSTD_CCtx* cctx = ZSTD_createCCtx();
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, level);
  std::vector<uint8_t> frame(ZSTD_compressBound(kMaxRunPages * kSnapshotPageSize));
  stats = {};
  StateWriter runs;
  for (uint64_t p = 0; p < pages;) {
    if (!nonzero[p]) {
      ++p;
      continue;
    }
    uint64_t n = 1;
    while (p + n < pages && n < kMaxRunPages && nonzero[p + n]) ++n;
    const size_t c = ZSTD_compress2(cctx, frame.data(), frame.size(), host + p * kSnapshotPageSize,
                                    n * kSnapshotPageSize);
    runs.u64(p);
    runs.u32(static_cast<uint32_t>(n));
    if (ZSTD_isError(c)) {  // cannot happen with a bound-sized buffer; store raw rather than lose data
      runs.u32(0);
      runs.raw(host + p * kSnapshotPageSize, n * kSnapshotPageSize);
    } else {
      runs.u32(static_cast<uint32_t>(c));
      runs.raw(frame.data(), c);
    }
    stats.pages_saved += n;
    ++stats.runs;
    p += n;
  }
  ZSTD_freeCCtx(cctx);
  out.u64(stats.runs);
  out.raw(runs.data().data(), runs.data().size());
  return out.take();
}

bool decode_memory(const uint8_t* data, size_t len, uint8_t* host, uint64_t size, std::string& error,
                   MemoryImageStats* stats) {
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
      in.raw(dst, bytes);
    } else {
      const uint8_t* src = in.take(clen);
      if (!src) break;
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
