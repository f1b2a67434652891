#include "cpu/riscv/block_cache.h"

#include <cstring>

namespace vessel::riscv {

void BlockCache::clear() {
  blocks_.clear();
  ops_.clear();
  generics_.clear();
  bytes_.clear();
  std::fill(table_.begin(), table_.end(), nullptr);
  ++generation_;
}

void BlockCache::release() {
  blocks_ = {};
  ops_ = {};
  generics_ = {};
  bytes_ = {};
  table_ = {};
  ++generation_;
}

DecodedBlock* BlockCache::get_slow(uint64_t pc, const uint8_t* guest, uint64_t epoch) {
  if (table_.empty()) {
    table_.assign(kMaxBlocks, nullptr);
    blocks_.reserve(kMaxBlocks);
    ops_.reserve(kMaxOps);
    generics_.reserve(kMaxGenerics);
    bytes_.reserve(kMaxBytes);
  }
  DecodedBlock** bucket = &table_[slot(pc)];
  for (DecodedBlock** link = bucket; *link; link = &(*link)->bucket_next) {
    DecodedBlock* b = *link;
    if (b->pc != pc || b->guest != guest) continue;
    *link = b->bucket_next;  // found: to the front of the bucket, or replaced below
    // Same code after a FENCE.I (the common case: it was for another page): keep the block.
    if (b->epoch == epoch || memcmp(guest + b->bytes_from, b->bytes, b->size) == 0) {
      b->epoch = epoch;
      b->bucket_next = *bucket;
      *bucket = b;
      return b;
    }
    break;
  }
  if (blocks_.size() == kMaxBlocks || ops_.size() + kMaxBlockOps + 1 > kMaxOps ||
      generics_.size() + kMaxBlockOps > kMaxGenerics || bytes_.size() + 4096 > kMaxBytes) {
    clear();
    bucket = &table_[slot(pc)];
  }
  DecodedOp decoded[kMaxBlockOps + 1];
  GenericOp generic[kMaxBlockOps];
  unsigned generics = 0;
  DecodedSpan span;
  const unsigned count = decode_block(pc, guest, kMaxBlockOps, decoded, generic, generics, span);
  if (!count) return nullptr;
  const unsigned ops = count + (is_control(decoded[count - 1].kind) ? 0 : 1);
  for (unsigned i = 0; i < ops; ++i) {
    const OperandForm form = operand_form(i ? &decoded[i - 1] : nullptr, decoded[i]);
    decoded[i].target = targets_[static_cast<unsigned>(decoded[i].kind) * kOperandForms + form];
    if (decoded[i].kind == OpKind::Generic) decoded[i].imm += static_cast<int32_t>(generics_.size());
  }
  generics_.insert(generics_.end(), generic, generic + generics);
  const size_t first_op = ops_.size(), first_byte = bytes_.size();
  ops_.insert(ops_.end(), decoded, decoded + ops);
  bytes_.insert(bytes_.end(), guest + span.first, guest + span.first + span.size);
  DecodedBlock& b = blocks_.emplace_back();
  b.pc = pc;
  b.guest = guest;
  b.epoch = epoch;
  b.ops = ops_.data() + first_op;
  b.bytes = bytes_.data() + first_byte;
  b.count = static_cast<uint16_t>(count);
  b.bytes_from = static_cast<int16_t>(span.first);
  b.size = static_cast<uint16_t>(span.size);
  b.bucket_next = *bucket;
  *bucket = &b;
  return &b;
}

}  // namespace vessel::riscv
