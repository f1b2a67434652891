#include "cpu/riscv/block_cache.h"

#include <cstring>

namespace vessel::riscv {

void BlockCache::clear() {
  blocks_.clear();
  ops_.clear();
  bytes_.clear();
  std::fill(table_.begin(), table_.end(), nullptr);
  ++generation_;
}

void BlockCache::release() {
  blocks_ = {};
  ops_ = {};
  bytes_ = {};
  table_ = {};
  ++generation_;
}

DecodedBlock* BlockCache::get_slow(uint64_t pc, const uint8_t* guest, uint64_t epoch) {
  if (table_.empty()) {
    table_.assign(kMaxBlocks, nullptr);
    blocks_.reserve(kMaxBlocks);
    ops_.reserve(kMaxOps);
    bytes_.reserve(kMaxBytes);
  }
  DecodedBlock*& entry = table_[slot(pc)];
  // Same code after a FENCE.I (the common case: it was for another page): keep the block.
  if (entry && entry->pc == pc && entry->guest == guest && memcmp(guest, entry->bytes, entry->size) == 0) {
    entry->epoch = epoch;
    return entry;
  }
  if (blocks_.size() == kMaxBlocks || ops_.size() + kMaxBlockOps + 1 > kMaxOps ||
      bytes_.size() + kMaxBlockOps * 4 > kMaxBytes)
    clear();
  DecodedOp decoded[kMaxBlockOps + 1];
  unsigned size = 0;
  const unsigned count = decode_block(pc, guest, kMaxBlockOps, decoded, size);
  if (!count) return nullptr;
  const bool has_end = !is_control(decoded[count - 1].kind);
  const size_t first_op = ops_.size(), first_byte = bytes_.size();
  ops_.insert(ops_.end(), decoded, decoded + count + (has_end ? 1 : 0));
  bytes_.insert(bytes_.end(), guest, guest + size);
  DecodedBlock& b = blocks_.emplace_back();
  b.pc = pc;
  b.guest = guest;
  b.epoch = epoch;
  b.ops = ops_.data() + first_op;
  b.bytes = bytes_.data() + first_byte;
  b.count = static_cast<uint16_t>(count);
  b.size = static_cast<uint16_t>(size);
  entry = &b;
  return &b;
}

}  // namespace vessel::riscv
