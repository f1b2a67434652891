// DBLK records of a live migration with disk copy: blocks of one drive, each either a zero
// marker (no data) or its bytes. Layout (little-endian): u32 drive, u32 count, then per
// block u64 offset, u32 length, u8 kind (0 zeros, 1 data) and, for data, the bytes. The
// decoder checks the whole record against the drive's size before the caller writes a byte.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "common/result.h"

namespace vessel::migration {

constexpr uint32_t kMaxBlockBytes = 1u << 20;
constexpr size_t kBlocksPerRecord = 16;  // 16 x 64 KiB: about 1 MiB per record

struct BlockPiece {
  uint64_t offset = 0;
  uint32_t length = 0;
  bool zero = false;
  const uint8_t* data = nullptr;  // into the record's payload; nullptr when zero
};

class BlockRecordWriter {
 public:
  explicit BlockRecordWriter(uint32_t drive);
  void add_zero(uint64_t offset, uint32_t length);
  void add_data(uint64_t offset, const uint8_t* data, uint32_t length);
  size_t count() const { return count_; }
  // The payload, with the count filled in; the writer starts over for the same drive.
  std::vector<uint8_t> take();

 private:
  uint32_t drive_;
  size_t count_ = 0;
  std::vector<uint8_t> out_;
};

struct BlockRecord {
  uint32_t drive = 0;
  std::vector<BlockPiece> pieces;
};

// `disk_sizes[drive]` bounds the pieces; a drive past its end is an error.
Result<BlockRecord> decode_blocks(const uint8_t* payload, size_t len, const std::vector<uint64_t>& disk_sizes);

bool is_zero_block(const uint8_t* p, size_t len);

}  // namespace vessel::migration
