// The x86-64 backend: turns one guest basic block into host code (Xbyak).
//
// Register use inside translated code: rbx = Hart*, rbp = JitState*; guest registers live
// in the hart, the block's most used ones in r12-r15 and r8-r11 while it runs; rax, rcx,
// rdx, rsi, rdi are scratch. Instructions without a native translation call their
// interpreter handler (ARCHITECTURE.md example 3); system instructions also end the block.
#pragma once
#include <deque>
#include <optional>
#include <vector>

#include <xbyak/xbyak.h>

#include "cpu/riscv/decoder.h"
#include "jit/block.h"
#include "jit/cold_task.h"
#include "jit/hart_layout.h"
#include "jit/jump_target.h"
#include "jit/trampoline.h"

namespace vessel::jit {

class Translator;
struct GuestInsn {
  uint64_t pc = 0;
  uint32_t insn = 0;  // 32-bit form (compressed instructions expanded)
  uint32_t raw = 0;   // bits as fetched (16 or 32)
  unsigned len = 4;
  const riscv::Encoding* enc = nullptr;  // nullptr: illegal
  bool (Translator::*emit)(const GuestInsn&) = nullptr;  // native emitter, or nullptr: fallback
  bool follow = false;  // a direct jump the block continues through (target on the same page)
};

class Translator : public Xbyak::CodeGenerator {
 public:
  Translator(uint8_t* buffer, size_t size, const HartLayout& layout, const Trampoline& trampoline,
             std::deque<LinkSite>& link_sites, const riscv::Decoder& decoder);

  // Room for at least one more block of the largest size.
  bool has_room() const { return getSize() + kMaxBlockCode < capacity_; }
  // Translates the instructions at `guest` (host address of guest pc `pc`) into `block`.
  // Returns false if not even the first instruction fits on the page (straddles it).
  // The caller stores the code epoch it read before the call with block.set_epoch.
  bool translate(Block& block, uint64_t pc, const uint8_t* guest, uint8_t ctx, uint8_t data_ctx);
  // Forgets every translation (the code cache is full).
  void clear() { reset(); }

  // An emitter returns true when the block continues after the instruction.
  using Emit = bool (Translator::*)(const GuestInsn&);

 private:
  static constexpr unsigned kMaxInsns = 64;
  // Conditional branches per block: with CoreMark, lz and mix, 4 beat 1 (a branch ends the
  // block: 6.5k CoreMark iterations/s), 2, 3, 8 and unlimited (8.1k, 8.4k with high variance).
  static constexpr unsigned kMaxBranches = 4;
  static constexpr size_t kMaxBlockCode = 64 * 1024;
  // Decodes the block starting at `pc`: straight-line code, through direct jumps whose
  // target lies on the same page and is not in the block yet and past conditional branches
  // (side exits), up to an indirect jump, an instruction that ends a block, kMaxBranches
  // branches, 64 instructions or the page end. Returns the pc after the last instruction;
  // `lo`/`hi` receive the span of guest bytes read.
  uint64_t decode_block(uint64_t pc, const uint8_t* guest, std::vector<GuestInsn>& insns, uint64_t& lo, uint64_t& hi);

  // ---- helpers (translator.cpp)
  Xbyak::Address xreg(unsigned r) { return qword[rbx + layout_.reg(r)]; }
  void load_x(const Xbyak::Reg64& dst, unsigned r);
  void store_x(unsigned r, const Xbyak::Reg64& src);
  // Guest registers a block uses most live in r12-r15 and r8-r11 while it runs; memory is
  // brought up to date before anything reads it. Calls to C++ slow paths save r8-r11.
  void choose_cached_registers(const std::vector<GuestInsn>& insns);
  const Xbyak::Reg64* cached(unsigned r) const { return host_of_[r] >= 0 ? &kCacheRegs[host_of_[r]] : nullptr; }
  void write_back();     // cached registers the block writes -> hart
  void reload_cached();  // hart -> cached registers (after a handler ran)
  // Calls function(rdi, rsi, rdx) out of line, keeping the cached guest registers.
  void call_preserving_cached(const void* function);
  void set_pc(uint64_t pc);
  void add_instret(unsigned n);
  // To `over` unless the whole block still fits in the batch's instruction budget.
  void check_budget(JumpTarget& over);
  // Back to the dispatcher with `tag` (an ExitTag) in rax.
  void leave(uintptr_t tag);
  // pc <- next_pc, then back to the dispatcher.
  void leave_at_next_pc();
  // pc <- rax, then to its block through the jump cache (else the dispatcher).
  void jump_through_cache();
  // Leaves the block towards `target`, counting `completed` more instructions (a direct
  // link when the target is on the block's page, else through the jump cache).
  void exit_to(uint64_t target, unsigned completed);
  // Leaves for the dispatcher at hart.next_pc (after a system instruction or a trap).
  void exit_to_next_pc(unsigned completed);
  // After a helper call: leave through the trap path if it raised an exception, counting
  // `completed` instructions before the faulting one.
  void check_trap(unsigned completed);
  void cold(ColdTask code) { cold_.push_back(code); }
  JumpTarget& new_target() { return targets_.emplace_back(); }
  // A rel32 jump (conditional or not) to `target`, patched when it is bound if needed.
  void jump(JumpTarget& target, Cond cond = Cond::Always);
  void bind(JumpTarget& target);

  // rd <- compute(dst, second): `dst` (rd's host register if it has one, else rax) holds
  // rs1 on entry when `sources` asks for it; `second` is rs2 (a host register or memory
  // for Rs1Rs2, rcx for Rs1Rs2InRcx). InRax: rs1 in rax, rs2 in rcx, result in rax (for
  // x86 instructions with fixed registers). A write to x0 emits nothing but still counts.
  enum class Sources { None, Rs1, Rs1Rs2, Rs1Rs2InRcx, InRax };
  // `commutative`: rd = rs2 op rs1 may be computed as rd op= rs1 (accumulators).
  template <typename Compute>
  bool emit_to_rd(const GuestInsn& g, Sources sources, Compute compute, bool commutative = false);

  // ---- emitters: integer (emit_integer.cpp)
  bool emit_move(const GuestInsn& g, unsigned src);  // rd <- x[src] (mv and its spellings)
  bool emit_lui(const GuestInsn&);
  bool emit_auipc(const GuestInsn&);
  template <int kOp> bool emit_alu_imm(const GuestInsn&);
  template <int kOp> bool emit_alu_reg(const GuestInsn&);
  template <int kOp> bool emit_alu_imm_w(const GuestInsn&);
  template <int kOp> bool emit_alu_reg_w(const GuestInsn&);
  template <int kOp> bool emit_mul(const GuestInsn&);
  template <bool kSigned, bool kRem, bool kWord> bool emit_div(const GuestInsn&);
  // bit manipulation and Zicond (emit_bitmanip.cpp)
  template <unsigned kShift, bool kUw> bool emit_shadd(const GuestInsn&);
  bool emit_slli_uw(const GuestInsn&);
  template <int kOp> bool emit_logic_not(const GuestInsn&);
  template <int kOp> bool emit_minmax(const GuestInsn&);
  template <int kOp> bool emit_unary(const GuestInsn&);
  template <int kOp> bool emit_rotate(const GuestInsn&);
  template <int kOp> bool emit_single_bit(const GuestInsn&);
  template <bool kZeroIfNonzero> bool emit_czero(const GuestInsn&);
  // memory (emit_memory.cpp)
  template <typename T> bool emit_load(const GuestInsn&);
  template <typename T> bool emit_store(const GuestInsn&);
  void tlb_lookup(unsigned size, bool write, JumpTarget& slow);
  // The same for a load, through the site's LoadSite first (jit_state.h).
  void load_lookup(unsigned size, JumpTarget& slow);
  void check_load_sites_epoch();
  unsigned next_load_site_ = 0;
  bool load_sites_ = false;  // this block's loads use slots (user code)
  void load_address(unsigned base, int32_t imm);
  // control (emit_control.cpp)
  bool emit_jal(const GuestInsn&);
  bool emit_jalr(const GuestInsn&);
  template <int kCond> bool emit_branch(const GuestInsn&);
  bool emit_fence(const GuestInsn&);
  // floating point on the host's SSE unit (emit_fp_*.cpp; the shared frame in emit_fp_frame.h)
  // What an instruction's rm field asks of its host translation: nothing (no rm field), a
  // valid mode only (the result is exact), round to nearest even, or that or toward zero
  // (conversions to integers, which x86 truncates with CVTT*).
  enum class FpRounding { None, Exact, Nearest, NearestOrTruncate };
  // What the instruction writes: nothing, an f register (double or NaN-boxed single), or
  // only fcsr; all but the first set mstatus.FS to Dirty.
  enum class FpWrites { None, Double, Single, Fcsr };
  static bool native_rounding(uint32_t insn, FpRounding rounding);
  template <typename Body>
  bool emit_fp(const GuestInsn& g, FpWrites writes, FpRounding rounding, Body body);
  Xbyak::Address fq(unsigned r) { return qword[rbx + layout_.freg(r)]; }
  Xbyak::Address fd(unsigned r) { return dword[rbx + layout_.freg(r)]; }
  // To `slow` unless f[r] holds a NaN-boxed single (else it reads as the canonical NaN).
  void check_boxed(unsigned r, JumpTarget& slow);
  void load_fp(bool is_double, const Xbyak::Xmm& dst, unsigned r);  // f[r] in its format
  // The f registers a block's SSE instructions use most also live in xmm2-xmm15, written
  // through: the hart's copy stays current, so exits need nothing, and the xmm copies are
  // reloaded after every call (which clobbers them). (emit_fp_cache.cpp)
  void choose_cached_fp_registers(const std::vector<GuestInsn>& insns);
  void load_cached_fp();  // hart -> xmm copies (block start, after a call)
  const Xbyak::Xmm* fp_cached(unsigned r) const { return xmm_of_[r] >= 0 ? &kFpCacheRegs[xmm_of_[r]] : nullptr; }
  // f[r] as an SSE source operand: its xmm copy, else memory.
  const Xbyak::Operand& fp_source(unsigned r, bool is_double);
  // f[r] <- value (a double, or a single NaN-boxed here), in the hart and the xmm copy. A
  // single is written with one 64-bit store: a 64-bit load after two 32-bit stores would
  // miss store-to-load forwarding.
  void fp_result(unsigned r, bool is_double, const Xbyak::Xmm& value);
  // The same for an arithmetic result in xmm0, unless it is a NaN: RISC-V returns the
  // canonical NaN where x86 propagates an operand's, so a NaN goes to `slow` (the handler).
  void fp_result_unless_nan(unsigned r, bool is_double, JumpTarget& slow);
  // f[r] <- rax (a single in eax: NaN-boxed here), for results computed as bits.
  void fp_result_bits(unsigned r, bool is_double);
  template <bool kDouble, int kOp> bool emit_fp_arith(const GuestInsn&);
  template <bool kDouble> bool emit_fp_sqrt(const GuestInsn&);
  template <bool kDouble, int kOp> bool emit_fp_fused(const GuestInsn&);
  template <bool kDouble, bool kMax> bool emit_fp_minmax(const GuestInsn&);
  template <bool kDouble, int kOp> bool emit_fp_compare(const GuestInsn&);
  template <bool kDouble, int kOp> bool emit_fp_sign(const GuestInsn&);
  template <bool kDouble, bool kToInt> bool emit_fp_move(const GuestInsn&);
  template <bool kDouble> bool emit_fp_load(const GuestInsn&);
  template <bool kDouble> bool emit_fp_store(const GuestInsn&);
  template <bool kDouble, int kKind> bool emit_fp_to_int(const GuestInsn&);
  template <bool kDouble, int kKind> bool emit_fp_from_int(const GuestInsn&);
  bool emit_fcvt_s_d(const GuestInsn&);
  bool emit_fcvt_d_s(const GuestInsn&);
  // CSR instructions on fflags, frm and fcsr (others run their handler), which read and
  // write the flags MXCSR holds too (emit_fp_csr.cpp).
  template <int kOp, bool kImmediate> bool emit_fcsr_access(const GuestInsn&);
  // everything else (emit_fallback.cpp)
  bool emit_fallback(const GuestInsn&);
  // Runs g's interpreter handler through `via` (call_handler or call_csr_handler), with the
  // hart's pc, instruction and registers up to date; the caller checks for a trap.
  void call_interpreter(const GuestInsn& g, const void* via);

  // The table of native emitters, by encoding (emit_table.cpp).
  Emit emitter_for(const riscv::Encoding* enc) const;
  static bool continues_after_fallback(uint32_t insn);

  const HartLayout& layout_;
  const Trampoline& trampoline_;
  std::deque<LinkSite>& link_sites_;
  const riscv::Decoder& decoder_;

  // Per-block state.
  Block* block_ = nullptr;
  uint8_t ctx_ = 0, data_ctx_ = 0;
  unsigned pending_ = 0;  // instructions completed but not yet added to instret
  static constexpr unsigned kCachedRegs = 8, kCalleeSaved = 4;
  // Registers by value: the addresses of Xbyak::util's registers differ between translation
  // units (they have internal linkage), which an inline table of them must not depend on (GCC
  // with ASan drops the copies it points to and the link fails).
  static inline const Xbyak::Reg64 kCacheRegs[kCachedRegs] = {
      Xbyak::Reg64(Xbyak::Operand::R12), Xbyak::Reg64(Xbyak::Operand::R13), Xbyak::Reg64(Xbyak::Operand::R14),
      Xbyak::Reg64(Xbyak::Operand::R15), Xbyak::Reg64(Xbyak::Operand::R8),  Xbyak::Reg64(Xbyak::Operand::R9),
      Xbyak::Reg64(Xbyak::Operand::R10), Xbyak::Reg64(Xbyak::Operand::R11)};
  int8_t host_of_[32] = {};       // guest register -> index in kCacheRegs, or -1
  unsigned cached_count_ = 0;
  unsigned cached_guest_[kCachedRegs] = {};
  uint32_t written_ = 0;          // guest registers the block's native code writes
  // Floating point facts known at this point of the block: mstatus.FS checked (not Off),
  // FS already set to Dirty, and which f registers hold NaN-boxed singles. Any fallback
  // forgets them (a CSR write may turn FS off).
  static constexpr uint8_t kFsChecked = 1, kFsDirty = 2;
  uint8_t fp_state_ = 0;
  uint32_t boxed_ = 0;
  static constexpr unsigned kCachedFpRegs = 14;
  static inline const Xbyak::Xmm kFpCacheRegs[kCachedFpRegs] = {  // by value, as kCacheRegs
      Xbyak::Xmm(2),  Xbyak::Xmm(3),  Xbyak::Xmm(4),  Xbyak::Xmm(5),  Xbyak::Xmm(6),  Xbyak::Xmm(7),  Xbyak::Xmm(8),
      Xbyak::Xmm(9),  Xbyak::Xmm(10), Xbyak::Xmm(11), Xbyak::Xmm(12), Xbyak::Xmm(13), Xbyak::Xmm(14), Xbyak::Xmm(15)};
  int8_t xmm_of_[32] = {};         // f register -> index in kFpCacheRegs, or -1
  unsigned fp_cached_count_ = 0;
  unsigned fp_cached_guest_[kCachedFpRegs] = {};
  std::optional<Xbyak::Address> fp_memory_[4];  // fp_source's memory operands (used at once)
  unsigned fp_memory_next_ = 0;
  std::vector<GuestInsn> insns_;
  std::vector<ColdTask> cold_;  // out-of-line paths, emitted after the block
  std::deque<JumpTarget> targets_;
  JumpTarget* loop_head_ = nullptr;  // after the prologue: where loops back to the block start go
  JumpTarget* trap_exit_ = nullptr;  // the block's shared exit after a trap (ecx = instructions completed)
  size_t capacity_ = 0;
};

}  // namespace vessel::jit
