// Guest RAM in a snapshot: only pages that are resident and not all zero, in runs of up to
// 256 contiguous pages. A run is either one zstd frame, or stored as is at a page-aligned file
// offset. A fresh MAP_NORESERVE mapping reads as zero, so restore only touches the runs:
// zstd runs are decompressed straight into place; stored runs are mapped copy-on-write from the
// snapshot file (no copy at all: pages come in from the page cache as the guest touches them).
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

// The encoding as pieces to write in order: headers and zstd frames in `own`, stored pages
// where they lie in guest memory (so nothing is copied; guest memory must not change until the
// pieces are written).
struct EncodedMemory {
  struct Piece {
    const uint8_t* external = nullptr;  // guest memory; nullptr: own[offset, offset + size)
    size_t offset = 0, size = 0;
  };
  std::vector<uint8_t> own;
  std::vector<Piece> pieces;
  std::vector<std::pair<const uint8_t*, size_t>> spans() const;
  std::vector<uint8_t> flatten() const;
};

// Encodes `size` bytes at `host` (a multiple of the page size). zstd `level` >= 1 compresses
// (1 = fastest); level 0 stores the pages, aligned to pages in the file given the file offset at
// which the encoded bytes will start (`file_offset`).
EncodedMemory encode_memory_pieces(const uint8_t* host, uint64_t size, int level, uint64_t file_offset,
                                   MemoryImageStats& stats);
// The same, as one buffer.
std::vector<uint8_t> encode_memory(const uint8_t* host, uint64_t size, int level, uint64_t file_offset,
                                   MemoryImageStats& stats);

// Where the encoded bytes lie in a file, so stored runs can be mapped instead of copied.
struct MemoryImageFile {
  int fd = -1;
  uint64_t offset = 0;  // file offset of the encoded bytes' first byte
};

// Decodes into `host`, which must be `size` bytes of zero-filled memory from mmap. Returns false
// with `error` if the section is malformed or was made for a different memory size.
bool decode_memory(const uint8_t* data, size_t len, uint8_t* host, uint64_t size, std::string& error,
                   MemoryImageStats* stats = nullptr, const MemoryImageFile* file = nullptr);

}  // namespace vessel::snapshot
