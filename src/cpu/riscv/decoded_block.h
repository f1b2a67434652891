// Pre-decoded straight-line guest code for the interpreter's fast path: each instruction
// is decoded once into a DecodedOp (operation, register numbers, immediate), and a run
// of them up to the next control transfer (or page end) forms a DecodedBlock.
#pragma once
#include <cstdint>

#include "cpu/riscv/decoder.h"

namespace vessel::riscv {

// The operations the block interpreter executes itself; everything else calls the
// instruction's handler from the encoding table (kGeneric).
#define VESSEL_OP_KINDS(X)                                                                          \
  X(Generic) X(Nop) X(End)                                                                          \
  X(Lui) X(Auipc) X(Jal) X(Jalr) X(Beq) X(Bne) X(Blt) X(Bge) X(Bltu) X(Bgeu)                        \
  X(Lb) X(Lh) X(Lw) X(Ld) X(Lbu) X(Lhu) X(Lwu) X(Sb) X(Sh) X(Sw) X(Sd)                              \
  X(Addi) X(Slti) X(Sltiu) X(Xori) X(Ori) X(Andi) X(Slli) X(Srli) X(Srai)                           \
  X(Add) X(Sub) X(Sll) X(Slt) X(Sltu) X(Xor) X(Srl) X(Sra) X(Or) X(And)                             \
  X(Addiw) X(Slliw) X(Srliw) X(Sraiw) X(Addw) X(Subw) X(Sllw) X(Srlw) X(Sraw)                       \
  X(Mul) X(Mulw) X(Mulhu)

enum class OpKind : uint8_t {
#define VESSEL_OP_ENUM(name) name,
  VESSEL_OP_KINDS(VESSEL_OP_ENUM)
#undef VESSEL_OP_ENUM
      Count
};

// Jumps and branches: they end a block and say where execution goes next.
inline bool is_control(OpKind k) { return k >= OpKind::Jal && k <= OpKind::Bgeu; }

struct DecodedOp {
  OpKind kind = OpKind::Generic;
  uint8_t rd = 0, rs1 = 0, rs2 = 0;
  uint16_t offset = 0;  // bytes from the block's first instruction
  uint8_t length = 0;   // 2 or 4 (0 for End)
  bool ends_block = false;  // kGeneric: privileged, CSR or FENCE.I (may change the context)
  int32_t imm = 0;      // immediate, shift amount; for kGeneric the raw bits (mtval)
  uint32_t insn = 0;    // 32-bit form (compressed instructions expanded)
  Handler handler = nullptr;  // kGeneric only
};
static_assert(sizeof(DecodedOp) == 24);

struct DecodedBlock {
  uint64_t pc = 0;                 // guest virtual address of the first instruction
  const uint8_t* guest = nullptr;  // host address of that instruction (guest RAM)
  uint64_t epoch = 0;              // code epoch the bytes were last checked at
  const DecodedOp* ops = nullptr;  // `count` instructions, then an End op unless the last jumps
  const uint8_t* bytes = nullptr;  // copy of the guest bytes decoded, compared after FENCE.I
  uint16_t count = 0;              // guest instructions
  uint16_t size = 0;               // guest bytes
  // Successors on the same guest page (fall-through or not-taken, taken / jump target):
  // while this block is valid they map to the same host page, so only their pc and epoch
  // are checked when chaining.
  DecodedBlock* next[2] = {nullptr, nullptr};
};

// Decodes the instruction run at `guest` (the host address of `pc`) up to a control
// transfer, a system instruction, `max_ops` instructions or the end of the page. Writes
// the ops (and an End op if the run does not end with a jump or branch) to `out`, which
// holds at least max_ops + 1; returns the number of instructions (0: the first one
// crosses the page end) and sets `size` to their bytes.
unsigned decode_block(uint64_t pc, const uint8_t* guest, unsigned max_ops, DecodedOp* out, unsigned& size);

}  // namespace vessel::riscv
