// Guest RAM in a snapshot: only pages that are resident and not all zero, in runs of
// contiguous pages, each run one zstd frame. A fresh MAP_NORESERVE mapping reads as zero,
// so restore decompresses each run straight into place and leaves everything else untouched.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace vessel::snapshot {

struct MemoryImageStats {
  uint64_t pages_saved = 0;  // non-zero pages written
  uint64_t runs = 0;
};

constexpr uint64_t kSnapshotPageSize = 4096;

// Encodes `size` bytes at `host` (a multiple of the page size). zstd `level` (1 = fastest).
std::vector<uint8_t> encode_memory(const uint8_t* host, uint64_t size, int level, MemoryImageStats& stats);
// Decodes into `host`, which must be `size` bytes of zero-filled memory. Returns false with
// `error` if the section is malformed or was made for a different memory size.
bool decode_memory(const uint8_t* data, size_t len, uint8_t* host, uint64_t size, std::string& error,
                   MemoryImageStats* stats = nullptr);

}  // namespace vessel::snapshot
