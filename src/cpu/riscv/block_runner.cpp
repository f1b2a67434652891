// The interpreter's fast path: runs DecodedBlocks with one indirect jump per instruction
// (GCC's labels as values), guest registers read and written in place, soft-TLB hits for
// loads and stores inline, and blocks chained to their successors on the same page.
// Anything unusual (a TLB miss, MMIO, a trap, an instruction it does not run itself)
// leaves through the hart's ordinary slow paths and handlers, with pc, next_pc, cur_insn
// and instret set as step() would have them.
#include <cstring>

#include "cpu/riscv/interpreter.h"

namespace vessel::riscv {
namespace {

uint64_t sext32(uint64_t v) { return static_cast<uint64_t>(static_cast<int64_t>(static_cast<int32_t>(v))); }
int64_t s64(uint64_t v) { return static_cast<int64_t>(v); }

// A load or store the inline TLB check did not serve; false when it trapped.
[[gnu::noinline]] bool access_slow(Hart& h, const DecodedOp& op) {
  const uint64_t va = h.x[op.rs1] + static_cast<int64_t>(op.imm);
  uint64_t v = 0;
  auto load = [&](unsigned size) { return h.load_slow(va, size, v); };
  bool ok = true;
  switch (op.kind) {
    case OpKind::Lb: ok = load(1); v = static_cast<uint64_t>(static_cast<int8_t>(v)); break;
    case OpKind::Lh: ok = load(2); v = static_cast<uint64_t>(static_cast<int16_t>(v)); break;
    case OpKind::Lw: ok = load(4); v = sext32(v); break;
    case OpKind::Ld: ok = load(8); break;
    case OpKind::Lbu: ok = load(1); v &= 0xff; break;
    case OpKind::Lhu: ok = load(2); v &= 0xffff; break;
    case OpKind::Lwu: ok = load(4); v &= 0xffffffff; break;
    case OpKind::Sb: return h.store_slow(va, 1, h.x[op.rs2] & 0xff);
    case OpKind::Sh: return h.store_slow(va, 2, h.x[op.rs2] & 0xffff);
    case OpKind::Sw: return h.store_slow(va, 4, h.x[op.rs2] & 0xffffffff);
    default: return h.store_slow(va, 8, h.x[op.rs2]);
  }
  if (ok) h.x[op.rd] = v;  // loads into x0 are kGeneric
  return ok;
}

}  // namespace

uint64_t Interpreter::run_blocks(uint64_t budget) {
  Hart& h = hart_;
  uint64_t* const x = h.x;
  h.end_batch = false;
  stopped_hot_ = false;
  const uint64_t epoch = h.code_epoch->load(std::memory_order_acquire);
  const uint64_t start = h.instret;
  uint64_t retired = start;       // instructions retired before the current block
  uint64_t traps = 0;             // instructions that trapped (they count against the budget)
  uint64_t end = start + budget;  // `retired` may not pass it; lowered by one per trap
  // A block may start while it ends by block_end: exact budgets single-step the batch's
  // tail, soft ones (VMs) let the last block run up to kMaxBlockOps - 1 past the end.
  const uint64_t slack = exact_budget ? 0 : BlockCache::kMaxBlockOps - 1;
  uint64_t block_end = end + slack;
  DecodedBlock* b = nullptr;
  DecodedBlock* from = nullptr;  // the block that jumped here, to be linked to its target
  unsigned edge = 0;
  uint64_t generation = blocks_.generation();
  uint64_t bpc = 0, next = 0;
  const DecodedOp* op = nullptr;
  const TlbEntry* read_tlb = nullptr;
  const TlbEntry* write_tlb = nullptr;

  // Each operation's code (per OperandForm) as an offset from the first one's (GCC's
  // labels as values).
#define VESSEL_OFFSET(label) static_cast<int32_t>(static_cast<char*>(&&label) - static_cast<char*>(&&op_Generic))
#define VESSEL_PLAIN(name) VESSEL_OFFSET(op_##name), VESSEL_OFFSET(op_##name), VESSEL_OFFSET(op_##name), VESSEL_OFFSET(op_##name),
#define VESSEL_FORMS(name) VESSEL_OFFSET(op_##name##_0), VESSEL_OFFSET(op_##name##_1), VESSEL_OFFSET(op_##name##_2), VESSEL_OFFSET(op_##name##_3),
  static const int32_t kTargets[] = {VESSEL_OP_KINDS(VESSEL_PLAIN, VESSEL_FORMS)};
#undef VESSEL_FORMS
#undef VESSEL_PLAIN
#undef VESSEL_OFFSET
  static_assert(sizeof kTargets / sizeof kTargets[0] == static_cast<size_t>(OpKind::Count) * kOperandForms);
  blocks_.set_op_targets(kTargets);
  char* const code = static_cast<char*>(&&op_Generic);
  uint64_t result = 0;  // the previous operation's rd value (OperandForm)
#define DISPATCH() goto*(code + op->target)
#define NEXT() \
  ++op;        \
  DISPATCH()
  // Tiering: false when the JIT should run block b (hot or translated).
#define STILL_COLD(b) \
  (!hot_threshold || (!(b)->translated && (b)->heat < hot_threshold && (++(b)->heat, true)))
  // The instruction op points at, as step() would see it before running it.
#define PREPARE_SLOW_PATH()                  \
  h.pc = bpc + op->offset;                   \
  h.next_pc = h.pc + op->length;             \
  h.instret = retired + (op - b->ops);       \
  h.trapped = false
  // Operands of the form F: from the result register or from memory.
#define RS1(F) (((F) & kRs1Forwarded) ? result : x[op->rs1])
#define RS2(F) (((F) & kRs2Forwarded) ? result : x[op->rs2])
  // An operation's code in the four operand forms: body(form, arg).
#define FORMS(name, body, arg) \
  op_##name##_0 : body(0, arg) op_##name##_1 : body(1, arg) op_##name##_2 : body(2, arg) op_##name##_3 : body(3, arg)

lookup:  // h.pc is where execution continues
  if (retired >= end || h.end_batch) goto done;
  read_tlb = h.tlb[h.data_ctx].read.e;
  write_tlb = h.tlb[h.data_ctx].write.e;
  {
    const uint64_t pc = h.pc, vpn = pc >> kPageShift;
    const TlbEntry& fetch = h.tlb[h.fetch_ctx].fetch.slot(vpn);
    if (fetch.vpn != vpn) goto single;
    b = blocks_.get(pc, reinterpret_cast<const uint8_t*>(pc + fetch.addend), epoch);
    if (!b) goto single;
    if (from && generation == blocks_.generation()) BlockCache::link(*from, edge, *b);
    generation = blocks_.generation();
  }
  if (retired + b->count > block_end) goto single;
  if (!STILL_COLD(b)) goto hot;
  bpc = b->pc;
  op = b->ops;
  DISPATCH();

single:  // one instruction through step(): fetch TLB miss or fault, page-crossing code, batch tail
  h.instret = retired;
  step();
  retired = h.instret;
  if (h.trapped) ++traps, --end, --block_end;
  from = nullptr;
  goto lookup;

chain:  // the block ended at a jump or branch to `next` along `edge`
  retired += b->count;
  if (DecodedBlock* s = b->next[edge];
      s && s->pc == next && s->epoch == epoch && retired + s->count <= block_end && retired < end &&
      STILL_COLD(s)) {
    b = s;
    bpc = s->pc;
    op = s->ops;
    DISPATCH();
  }
  h.pc = next;
  from = b;
  goto lookup;

hot:  // stop before block b: the JIT runs it
  h.pc = b->pc;
  stopped_hot_ = true;
  goto done;

trapped:  // op raised an exception: the ones before it retired, pc goes to the trap vector
  retired += op - b->ops;
  ++traps, --end, --block_end;
  h.pc = h.next_pc;
  from = nullptr;
  goto lookup;

memory_slow:
  PREPARE_SLOW_PATH();
  if (!access_slow(h, *op)) goto trapped;
  result = x[op->rd];  // a load's value (a store's rd is never read as a result)
  if (h.end_batch) {
    retired += op - b->ops + 1;
    h.pc = h.next_pc;
    from = nullptr;
    goto lookup;
  }
  NEXT();

op_Generic: {
  PREPARE_SLOW_PATH();
  const GenericOp& generic = blocks_.generic(op->imm);
  h.cur_insn = generic.raw;
  generic.handler(h, generic.insn);
  x[0] = 0;
  retired = h.instret - (op - b->ops);  // a write to minstret moves the count
  if (h.trapped) goto trapped;
  if (op->ends_block || h.end_batch || h.next_pc != h.pc + op->length) {
    retired += op - b->ops + 1;
    h.pc = h.next_pc;
    from = nullptr;
    goto lookup;
  }
  NEXT();
}
op_Nop:
  NEXT();
op_End:
  next = bpc + op->offset;
  edge = 0;
  goto chain;

op_Lui:
  result = static_cast<uint64_t>(static_cast<int64_t>(op->imm));
  x[op->rd] = result;
  NEXT();
op_Auipc:
  result = bpc + op->offset + static_cast<int64_t>(op->imm);
  x[op->rd] = result;
  NEXT();
op_Jal:
  x[op->rd] = bpc + op->offset + op->length;
  x[0] = 0;
  next = bpc + op->offset + static_cast<int64_t>(op->imm);
  edge = 1;
  goto chain;
#define JALR(F, unused)                                            \
  {                                                                      \
    next = (RS1(F) + static_cast<int64_t>(op->imm)) & ~uint64_t{1};      \
    x[op->rd] = bpc + op->offset + op->length;                           \
    x[0] = 0;                                                            \
    edge = 1;                                                            \
    goto chain;                                                          \
  }
  FORMS(Jalr, JALR, )
#undef JALR

#define BRANCH_BODY(F, cond)                                                       \
  {                                                                                \
    const uint64_t a = RS1(F), c = RS2(F);                                         \
    edge = (cond) ? 1 : 0;                                                         \
    next = bpc + op->offset + (edge ? static_cast<int64_t>(op->imm) : op->length); \
    goto chain;                                                                    \
  }
#define BRANCH(name, cond) FORMS(name, BRANCH_BODY, cond)
  BRANCH(Beq, a == c)
  BRANCH(Bne, a != c)
  BRANCH(Blt, s64(a) < s64(c))
  BRANCH(Bge, s64(a) >= s64(c))
  BRANCH(Bltu, a < c)
  BRANCH(Bgeu, a >= c)
#undef BRANCH_BODY
#undef BRANCH

  // The tag is compared with the page of the access's last byte: one comparison also
  // sends page-crossing accesses to the slow path.
#define LOAD_BODY(F, T)                                                             \
  {                                                                                 \
    const uint64_t va = RS1(F) + static_cast<int64_t>(op->imm);                     \
    const TlbEntry& e = read_tlb[(va >> kPageShift) & (kTlbEntries - 1)];           \
    if (e.vpn != (va + sizeof(T) - 1) >> kPageShift) [[unlikely]] goto memory_slow; \
    T v;                                                                            \
    memcpy(&v, reinterpret_cast<const void*>(va + e.addend), sizeof(T));            \
    result = static_cast<uint64_t>(static_cast<int64_t>(v));                        \
    x[op->rd] = result;                                                             \
    NEXT();                                                                         \
  }
#define LOAD(name, T) FORMS(name, LOAD_BODY, T)
  LOAD(Lb, int8_t)
  LOAD(Lh, int16_t)
  LOAD(Lw, int32_t)
  LOAD(Ld, int64_t)
  LOAD(Lbu, uint8_t)
  LOAD(Lhu, uint16_t)
  LOAD(Lwu, uint32_t)
#undef LOAD
#undef LOAD_BODY

#define STORE_BODY(F, T)                                                            \
  {                                                                                 \
    const uint64_t va = RS1(F) + static_cast<int64_t>(op->imm);                     \
    const TlbEntry& e = write_tlb[(va >> kPageShift) & (kTlbEntries - 1)];          \
    if (e.vpn != (va + sizeof(T) - 1) >> kPageShift) [[unlikely]] goto memory_slow; \
    const T v = static_cast<T>(RS2(F));                                             \
    memcpy(reinterpret_cast<void*>(va + e.addend), &v, sizeof(T));                  \
    NEXT();                                                                         \
  }
#define STORE(name, T) FORMS(name, STORE_BODY, T)
  STORE(Sb, uint8_t)
  STORE(Sh, uint16_t)
  STORE(Sw, uint32_t)
  STORE(Sd, uint64_t)
#undef STORE
#undef STORE_BODY

#define ALU_BODY(F, expr)          \
  {                                \
    const uint64_t a = RS1(F);     \
    const uint64_t c = RS2(F);     \
    const int64_t imm = op->imm;   \
    (void)c, (void)imm;            \
    result = (expr);               \
    x[op->rd] = result;            \
    NEXT();                        \
  }
#define ALU(name, expr) FORMS(name, ALU_BODY, (expr))
  ALU(Addi, a + imm)
  ALU(Slti, s64(a) < imm)
  ALU(Sltiu, a < static_cast<uint64_t>(imm))
  ALU(Xori, a ^ imm)
  ALU(Ori, a | imm)
  ALU(Andi, a & imm)
  ALU(Slli, a << imm)
  ALU(Srli, a >> imm)
  ALU(Srai, s64(a) >> imm)
  ALU(Mv, a)
  ALU(SextW, sext32(a))
  ALU(Add, a + c)
  ALU(Sub, a - c)
  ALU(Sll, a << (c & 63))
  ALU(Slt, s64(a) < s64(c))
  ALU(Sltu, a < c)
  ALU(Xor, a ^ c)
  ALU(Srl, a >> (c & 63))
  ALU(Sra, s64(a) >> (c & 63))
  ALU(Or, a | c)
  ALU(And, a & c)
  ALU(Addiw, sext32(a + imm))
  ALU(Slliw, sext32(a << imm))
  ALU(Srliw, sext32(static_cast<uint32_t>(a) >> imm))
  ALU(Sraiw, sext32(static_cast<uint64_t>(static_cast<int32_t>(a) >> imm)))
  ALU(Addw, sext32(a + c))
  ALU(Subw, sext32(a - c))
  ALU(Sllw, sext32(a << (c & 31)))
  ALU(Srlw, sext32(static_cast<uint32_t>(a) >> (c & 31)))
  ALU(Sraw, sext32(static_cast<uint64_t>(static_cast<int32_t>(a) >> (c & 31))))
  ALU(Mul, a * c)
  ALU(Mulw, sext32(a * c))
  ALU(Mulhu, static_cast<uint64_t>((static_cast<unsigned __int128>(a) * c) >> 64))
#undef ALU
#undef ALU_BODY

done:
  h.instret = retired;
  return retired - start + traps;
#undef DISPATCH
#undef NEXT
#undef PREPARE_SLOW_PATH
#undef STILL_COLD
#undef RS1
#undef RS2
#undef FORMS
}

}  // namespace vessel::riscv
