// The interpreter's decoded blocks, found by guest pc (hash buckets, the last block found
// first) and checked against the host address the pc translates to now (so one virtual
// address in different address spaces, or after the guest remapped it, finds different
// blocks). Blocks are decoded once and rechecked byte for byte after the code epoch moves
// (FENCE.I); when the arrays fill, everything goes.
#pragma once
#include <cstdint>

#include "common/mapped_array.h"
#include "cpu/riscv/decoded_block.h"

namespace vessel::riscv {

class BlockCache {
 public:
  // Most instructions a block decodes at once.
  static constexpr unsigned kMaxBlockOps = 64;

  // Blocks are decoded for the hart's ISA (its CPU profile's decoder).
  explicit BlockCache(const Decoder& decoder) : decoder_(decoder) {}

  // The block at `pc`, whose first byte is at host address `guest`, valid at `epoch`;
  // decodes it on a miss. nullptr when its first instruction crosses the page end.
  DecodedBlock* get(uint64_t pc, const uint8_t* guest, uint64_t epoch) {
    DecodedBlock* const* table = table_.data();
    DecodedBlock* b = table ? table[slot(pc)] : nullptr;
    if (b && b->pc == pc && b->guest == guest && b->epoch == epoch) [[likely]] return b;
    return get_slow(pc, guest, epoch);
  }
  // Lets `from` jump straight to `to` along edge `edge` (0 fall-through, 1 taken) when
  // both lie on one guest page mapped to one host page.
  static void link(DecodedBlock& from, unsigned edge, DecodedBlock& to) {
    if (((from.pc ^ to.pc) >> kPageShiftBits) == 0 && from.guest - from.pc == to.guest - to.pc) from.next[edge] = &to;
  }
  // The runner's code offset for each OpKind and OperandForm (kind * kOperandForms + form),
  // stored into the ops decoded from now on.
  void set_op_targets(const int32_t* targets) {
    if (targets != targets_) clear();
    targets_ = targets;
  }
  const GenericOp& generic(int32_t index) const { return generics_[static_cast<size_t>(index)]; }
  // Changes whenever every block is dropped (blocks held by the caller are gone then).
  uint64_t generation() const { return generation_; }
  // The block at `pc` and host address `guest` if it has been decoded, else nullptr.
  DecodedBlock* find(uint64_t pc, const uint8_t* guest) const;
  // Drops every block and gives the memory back.
  void release();

 private:
  static constexpr unsigned kPageShiftBits = 12;
  static constexpr unsigned kTableBits = 16;
  static constexpr size_t kMaxBlocks = size_t{1} << kTableBits;
  // A boot to a shell decodes about 30 000 blocks of 10 instructions on average (branch
  // targets inside a block start another one).
  static constexpr size_t kMaxOps = kMaxBlocks * 16;
  static constexpr size_t kMaxGenerics = kMaxBlocks * 4;
  static constexpr size_t kMaxBytes = kMaxBlocks * 64;
  static unsigned slot(uint64_t pc) {
    return static_cast<unsigned>((pc >> 1) ^ (pc >> (kTableBits + 1))) & (kMaxBlocks - 1);
  }
  DecodedBlock* get_slow(uint64_t pc, const uint8_t* guest, uint64_t epoch);
  void clear();

  const Decoder& decoder_;
  MappedArray<DecodedBlock> blocks_{kMaxBlocks};
  MappedArray<DecodedOp> ops_{kMaxOps};
  MappedArray<GenericOp> generics_{kMaxGenerics};
  MappedArray<uint8_t> bytes_{kMaxBytes};
  MappedArray<DecodedBlock*> table_{kMaxBlocks};  // hash buckets, indexed directly
  uint64_t generation_ = 0;
  const int32_t* targets_ = nullptr;
};

}  // namespace vessel::riscv
