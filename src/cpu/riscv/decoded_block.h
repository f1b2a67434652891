// Pre-decoded guest code for the interpreter's fast path: each instruction is decoded once
// into a DecodedOp (operation, register numbers, immediate), and a run of them up to the
// next branch or indirect jump (direct jumps on the page are followed) forms a DecodedBlock.
#pragma once
#include <cstdint>

#include "cpu/riscv/decoder.h"

namespace vessel::riscv {

// The operations the block interpreter executes itself; everything else calls the
// instruction's handler from the encoding table (kGeneric). Mv (addi rd, rs1, 0 and
// add with x0, the common moves) and SextW (addiw rd, rs1, 0) are cheaper special cases;
// addi rd, x0, imm is a Lui (a constant). P: plain operations; R: ones
// that read rs1 or rs2, which the runner has in four forms (OperandForm).
#define VESSEL_OP_KINDS(P, R)                                                                      \
  P(Generic) P(Nop) P(End)                                                                          \
  P(Lui) P(Auipc) P(Jal) R(Jalr) R(Beq) R(Bne) R(Blt) R(Bge) R(Bltu) R(Bgeu)                        \
  R(Lb) R(Lh) R(Lw) R(Ld) R(Lbu) R(Lhu) R(Lwu) R(Sb) R(Sh) R(Sw) R(Sd)                              \
  R(Addi) R(Slti) R(Sltiu) R(Xori) R(Ori) R(Andi) R(Slli) R(Srli) R(Srai) R(Mv) R(SextW)          \
  R(Add) R(Sub) R(Sll) R(Slt) R(Sltu) R(Xor) R(Srl) R(Sra) R(Or) R(And)                             \
  R(Addiw) R(Slliw) R(Srliw) R(Sraiw) R(Addw) R(Subw) R(Sllw) R(Srlw) R(Sraw)                       \
  R(Mul) R(Mulw) R(Mulhu)

enum class OpKind : uint8_t {
#define VESSEL_OP_ENUM(name) name,
  VESSEL_OP_KINDS(VESSEL_OP_ENUM, VESSEL_OP_ENUM)
#undef VESSEL_OP_ENUM
      Count
};

// Where an operation takes rs1 and rs2 from: guest registers live in memory (Hart::x),
// and a value stored there by one operation and loaded by the next costs a store-to-load
// forwarding delay on every step of a dependency chain. So the runner also keeps the
// previous operation's result in a host register, and the decoder, which sees when an
// operand is the result of the operation just before, picks the form reading it there.
enum OperandForm : unsigned { kFromMemory = 0, kRs1Forwarded = 1, kRs2Forwarded = 2, kBothForwarded = 3 };
constexpr unsigned kOperandForms = 4;

// Jumps and branches: they end a block and say where execution goes next.
inline bool is_control(OpKind k) { return k >= OpKind::Jal && k <= OpKind::Bgeu; }

// What a kGeneric op runs: the instruction's handler from the encoding table.
struct GenericOp {
  Handler handler = nullptr;
  uint32_t insn = 0;  // 32-bit form (compressed instructions expanded)
  uint32_t raw = 0;   // the bits as fetched (mtval of an illegal instruction)
};

// 16 bytes: a boot decodes about 300 000 of them.
struct DecodedOp {
  // Where the block runner continues for this op: its code for `kind`, as an offset from
  // its first operation's code (one load and an add per dispatch).
  int32_t target = 0;
  OpKind kind = OpKind::Generic;
  uint8_t rd = 0, rs1 = 0, rs2 = 0;
  int32_t imm = 0;          // immediate or shift amount; kGeneric: index of its GenericOp
  int16_t offset = 0;       // bytes from the block's first instruction (negative after a jump back)
  uint8_t length = 0;       // 2 or 4 (0 for End)
  bool ends_block = false;  // kGeneric: privileged, CSR or FENCE.I (may change the context)
};
static_assert(sizeof(DecodedOp) == 16);

struct DecodedBlock {
  uint64_t pc = 0;                 // guest virtual address of the first instruction
  const uint8_t* guest = nullptr;  // host address of that instruction (guest RAM)
  uint64_t epoch = 0;              // code epoch the bytes were last checked at
  const DecodedOp* ops = nullptr;  // `count` instructions, then an End op unless the last jumps
  const uint8_t* bytes = nullptr;  // copy of the guest bytes decoded, compared after FENCE.I:
  int16_t bytes_from = 0;          // from pc + bytes_from
  uint16_t size = 0;               // for size bytes
  uint16_t count = 0;              // guest instructions
  // Tiering under the JIT (Interpreter::hot_threshold): times the block ran, and whether the
  // JIT has translated it.
  uint8_t heat = 0;
  bool translated = false;
  // Successors on the same guest page (fall-through or not-taken, taken / jump target):
  // while this block is valid they map to the same host page, so only their pc and epoch
  // are checked when chaining.
  DecodedBlock* next[2] = {nullptr, nullptr};
  DecodedBlock* bucket_next = nullptr;  // the next block in this one's BlockCache bucket
};

// The guest bytes a block was decoded from: [pc + first, pc + first + size).
struct DecodedSpan {
  int first = 0;
  unsigned size = 0;
};

// Decodes (with `decoder`: the hart's ISA) the instruction run at `guest` (the host address of `pc`) up to a branch, an
// indirect jump, a system instruction, `max_ops` instructions or the end of the page;
// direct jumps within the page are followed (the block goes on at their target). Writes
// the ops (and an End op if the run does not end with a jump or branch) to `out`, which
// holds at least max_ops + 1, and what generic ops run to `generic` (their imm indexes
// it; `generics` is set to how many), which holds max_ops. Returns the number of
// instructions (0: the first one crosses the page end) and sets `span`.
unsigned decode_block(const Decoder& decoder, uint64_t pc, const uint8_t* guest, unsigned max_ops, DecodedOp* out, GenericOp* generic,
                      unsigned& generics, DecodedSpan& span);

// How `op` takes its operands when `prev` (nullptr at a block start) ran just before it.
OperandForm operand_form(const DecodedOp* prev, const DecodedOp& op);

}  // namespace vessel::riscv
