#include "cpu/riscv/block_cache.h"

#include <cstring>

namespace vessel::riscv {

void BlockCache::clear() {
  blocks_.clear();
  ops_.clear();
  generics_.clear();
  bytes_.clear();
  table_.discard();
  ++generation_;
}

void BlockCache::release() {
  // A boot fills the arrays in huge pages; after the hart went idle, the few blocks it
  // runs should not hold 2 MiB each.
  auto give_back = [](auto& array) {
    array.release();
    array.use_huge_pages(false);
  };
  give_back(blocks_);
  give_back(ops_);
  give_back(generics_);
  give_back(bytes_);
  table_.release();
  ++generation_;
}

DecodedBlock* BlockCache::find(uint64_t pc, const uint8_t* guest) const {
  if (!table_.data()) return nullptr;
  for (DecodedBlock* b = table_.data()[slot(pc)]; b; b = b->bucket_next)
    if (b->pc == pc && b->guest == guest) return b;
  return nullptr;
}

DecodedBlock* BlockCache::get_slow(uint64_t pc, const uint8_t* guest, uint64_t epoch) {
  DecodedBlock** const table = table_.map_all();
  if (!table) return nullptr;  // no memory: the interpreter steps
  DecodedBlock** bucket = &table[slot(pc)];
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
  auto room = [&] {
    return blocks_.has_room(1) && ops_.has_room(kMaxBlockOps + 1) && generics_.has_room(kMaxBlockOps) &&
           bytes_.has_room(4096);
  };
  if (!room()) {
    clear();
    if (!room()) return nullptr;
  }
  DecodedOp decoded[kMaxBlockOps + 1];
  GenericOp generic[kMaxBlockOps];
  unsigned generics = 0;
  DecodedSpan span;
  const unsigned count = decode_block(decoder_, pc, guest, kMaxBlockOps, decoded, generic, generics, span);
  if (!count) return nullptr;
  const unsigned ops = count + (is_control(decoded[count - 1].kind) ? 0 : 1);
  for (unsigned i = 0; i < ops; ++i) {
    const OperandForm form = operand_form(i ? &decoded[i - 1] : nullptr, decoded[i]);
    decoded[i].target = targets_[static_cast<unsigned>(decoded[i].kind) * kOperandForms + form];
    if (decoded[i].kind == OpKind::Generic) decoded[i].imm += static_cast<int32_t>(generics_.size());
  }
  generics_.append(generic, generics);
  DecodedBlock& b = blocks_.emplace_back();
  b.pc = pc;
  b.guest = guest;
  b.epoch = epoch;
  b.ops = ops_.append(decoded, ops);
  b.bytes = bytes_.append(guest + span.first, span.size);
  b.count = static_cast<uint16_t>(count);
  b.bytes_from = static_cast<int16_t>(span.first);
  b.size = static_cast<uint16_t>(span.size);
  b.bucket_next = *bucket;
  *bucket = &b;
  return &b;
}

}  // namespace vessel::riscv
