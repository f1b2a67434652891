#include "migration/block_codec.h"

#include <cstring>

namespace vessel::migration {
namespace {

void put_le(std::vector<uint8_t>& out, uint64_t v, unsigned n) {
  for (unsigned i = 0; i < n; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}
uint64_t get_le(const uint8_t* p, unsigned n) {
  uint64_t v = 0;
  for (unsigned i = 0; i < n; ++i) v |= uint64_t{p[i]} << (8 * i);
  return v;
}
constexpr size_t kHeader = 8, kEntry = 13;

}  // namespace

BlockRecordWriter::BlockRecordWriter(uint32_t drive) : drive_(drive) { take(); }

void BlockRecordWriter::add_zero(uint64_t offset, uint32_t length) {
  put_le(out_, offset, 8);
  put_le(out_, length, 4);
  out_.push_back(0);
  ++count_;
}

void BlockRecordWriter::add_data(uint64_t offset, const uint8_t* data, uint32_t length) {
  put_le(out_, offset, 8);
  put_le(out_, length, 4);
  out_.push_back(1);
  out_.insert(out_.end(), data, data + length);
  ++count_;
}

std::vector<uint8_t> BlockRecordWriter::take() {
  std::vector<uint8_t> done = std::move(out_);
  if (done.size() >= kHeader)
    for (unsigned i = 0; i < 4; ++i) done[4 + i] = static_cast<uint8_t>(count_ >> (8 * i));
  out_.clear();
  put_le(out_, drive_, 4);
  put_le(out_, 0, 4);
  count_ = 0;
  return done;
}

Result<BlockRecord> decode_blocks(const uint8_t* p, size_t len, const std::vector<uint64_t>& disk_sizes) {
  if (len < kHeader) return Error{"malformed disk block record: too short"};
  BlockRecord r;
  r.drive = static_cast<uint32_t>(get_le(p, 4));
  const uint64_t count = get_le(p + 4, 4);
  if (r.drive >= disk_sizes.size())
    return Error{"malformed disk block record: drive " + std::to_string(r.drive) + " is not being copied"};
  const uint64_t size = disk_sizes[r.drive];
  size_t at = kHeader;
  for (uint64_t i = 0; i < count; ++i) {
    if (len - at < kEntry) return Error{"malformed disk block record: truncated"};
    BlockPiece b;
    b.offset = get_le(p + at, 8);
    b.length = static_cast<uint32_t>(get_le(p + at + 8, 4));
    const uint8_t kind = p[at + 12];
    at += kEntry;
    if (kind > 1 || b.length == 0 || b.length > kMaxBlockBytes || b.offset > size || b.length > size - b.offset)
      return Error{"malformed disk block record: a block outside the disk"};
    b.zero = kind == 0;
    if (!b.zero) {
      if (len - at < b.length) return Error{"malformed disk block record: truncated data"};
      b.data = p + at;
      at += b.length;
    }
    r.pieces.push_back(b);
  }
  if (at != len) return Error{"malformed disk block record: trailing bytes"};
  return r;
}

bool is_zero_block(const uint8_t* p, size_t len) {
  uint64_t acc = 0;
  size_t i = 0;
  for (; i + 8 <= len; i += 8) {
    uint64_t w;
    memcpy(&w, p + i, 8);
    acc |= w;
  }
  for (; i < len; ++i) acc |= p[i];
  return acc == 0;
}

}  // namespace vessel::migration
