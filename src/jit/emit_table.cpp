// Which encodings have a native translation: keyed by the encoding table's names, so the
// decoder's table drives the JIT's frontend as it drives the interpreter.
#include <string_view>
#include <unordered_map>

#include <xbyak/xbyak_util.h>

#include "jit/alu_ops.h"
#include "jit/translator.h"

namespace vessel::jit {
namespace {

using E = Translator::Emit;

}  // namespace

Translator::Emit Translator::emitter_for(const riscv::Encoding* enc) const {
  static const std::unordered_map<std::string_view, E> table = {
      {"lui", &Translator::emit_lui},
      {"auipc", &Translator::emit_auipc},
      {"jal", &Translator::emit_jal},
      {"jalr", &Translator::emit_jalr},
      {"beq", &Translator::emit_branch<kBeq>},
      {"bne", &Translator::emit_branch<kBne>},
      {"blt", &Translator::emit_branch<kBlt>},
      {"bge", &Translator::emit_branch<kBge>},
      {"bltu", &Translator::emit_branch<kBltu>},
      {"bgeu", &Translator::emit_branch<kBgeu>},
      {"lb", &Translator::emit_load<int8_t>},
      {"lh", &Translator::emit_load<int16_t>},
      {"lw", &Translator::emit_load<int32_t>},
      {"ld", &Translator::emit_load<int64_t>},
      {"lbu", &Translator::emit_load<uint8_t>},
      {"lhu", &Translator::emit_load<uint16_t>},
      {"lwu", &Translator::emit_load<uint32_t>},
      {"sb", &Translator::emit_store<uint8_t>},
      {"sh", &Translator::emit_store<uint16_t>},
      {"sw", &Translator::emit_store<uint32_t>},
      {"sd", &Translator::emit_store<uint64_t>},
      {"addi", &Translator::emit_alu_imm<kAdd>},
      {"slti", &Translator::emit_alu_imm<kSlt>},
      {"sltiu", &Translator::emit_alu_imm<kSltu>},
      {"xori", &Translator::emit_alu_imm<kXor>},
      {"ori", &Translator::emit_alu_imm<kOr>},
      {"andi", &Translator::emit_alu_imm<kAnd>},
      {"slli", &Translator::emit_alu_imm<kSll>},
      {"srli", &Translator::emit_alu_imm<kSrl>},
      {"srai", &Translator::emit_alu_imm<kSra>},
      {"add", &Translator::emit_alu_reg<kAdd>},
      {"sub", &Translator::emit_alu_reg<kSub>},
      {"sll", &Translator::emit_alu_reg<kSll>},
      {"slt", &Translator::emit_alu_reg<kSlt>},
      {"sltu", &Translator::emit_alu_reg<kSltu>},
      {"xor", &Translator::emit_alu_reg<kXor>},
      {"srl", &Translator::emit_alu_reg<kSrl>},
      {"sra", &Translator::emit_alu_reg<kSra>},
      {"or", &Translator::emit_alu_reg<kOr>},
      {"and", &Translator::emit_alu_reg<kAnd>},
      {"addiw", &Translator::emit_alu_imm_w<kAdd>},
      {"slliw", &Translator::emit_alu_imm_w<kSll>},
      {"srliw", &Translator::emit_alu_imm_w<kSrl>},
      {"sraiw", &Translator::emit_alu_imm_w<kSra>},
      {"addw", &Translator::emit_alu_reg_w<kAdd>},
      {"subw", &Translator::emit_alu_reg_w<kSub>},
      {"sllw", &Translator::emit_alu_reg_w<kSll>},
      {"srlw", &Translator::emit_alu_reg_w<kSrl>},
      {"sraw", &Translator::emit_alu_reg_w<kSra>},
      {"mul", &Translator::emit_mul<kMul>},
      {"mulh", &Translator::emit_mul<kMulh>},
      {"mulhu", &Translator::emit_mul<kMulhu>},
      {"mulw", &Translator::emit_mul<kMulw>},
      {"div", &Translator::emit_div<true, false, false>},
      {"divu", &Translator::emit_div<false, false, false>},
      {"rem", &Translator::emit_div<true, true, false>},
      {"remu", &Translator::emit_div<false, true, false>},
      {"divw", &Translator::emit_div<true, false, true>},
      {"divuw", &Translator::emit_div<false, false, true>},
      {"remw", &Translator::emit_div<true, true, true>},
      {"remuw", &Translator::emit_div<false, true, true>},
      {"fence", &Translator::emit_fence},
      {"sh1add", &Translator::emit_shadd<1, false>},
      {"sh2add", &Translator::emit_shadd<2, false>},
      {"sh3add", &Translator::emit_shadd<3, false>},
      {"add.uw", &Translator::emit_shadd<0, true>},
      {"sh1add.uw", &Translator::emit_shadd<1, true>},
      {"sh2add.uw", &Translator::emit_shadd<2, true>},
      {"sh3add.uw", &Translator::emit_shadd<3, true>},
      {"slli.uw", &Translator::emit_slli_uw},
      {"andn", &Translator::emit_logic_not<kAndn>},
      {"orn", &Translator::emit_logic_not<kOrn>},
      {"xnor", &Translator::emit_logic_not<kXnor>},
      {"min", &Translator::emit_minmax<kMin>},
      {"minu", &Translator::emit_minmax<kMinu>},
      {"max", &Translator::emit_minmax<kMax>},
      {"maxu", &Translator::emit_minmax<kMaxu>},
      {"rev8", &Translator::emit_unary<kRev8>},
      {"sext.b", &Translator::emit_unary<kSextB>},
      {"sext.h", &Translator::emit_unary<kSextH>},
      {"zext.h", &Translator::emit_unary<kZextH>},
      {"rol", &Translator::emit_rotate<kRol>},
      {"ror", &Translator::emit_rotate<kRor>},
      {"rori", &Translator::emit_rotate<kRori>},
      {"rolw", &Translator::emit_rotate<kRolw>},
      {"rorw", &Translator::emit_rotate<kRorw>},
      {"roriw", &Translator::emit_rotate<kRoriw>},
      {"bclr", &Translator::emit_single_bit<kBclr>},
      {"binv", &Translator::emit_single_bit<kBinv>},
      {"bset", &Translator::emit_single_bit<kBset>},
      {"bext", &Translator::emit_single_bit<kBext>},
      {"bclri", &Translator::emit_single_bit<kBclri>},
      {"binvi", &Translator::emit_single_bit<kBinvi>},
      {"bseti", &Translator::emit_single_bit<kBseti>},
      {"bexti", &Translator::emit_single_bit<kBexti>},
      {"czero.eqz", &Translator::emit_czero<false>},
      {"czero.nez", &Translator::emit_czero<true>},
      // F and D (fclass and the Zfa/Zfh instructions run their handlers)
      {"flw", &Translator::emit_fp_load<false>},
      {"fld", &Translator::emit_fp_load<true>},
      {"fsw", &Translator::emit_fp_store<false>},
      {"fsd", &Translator::emit_fp_store<true>},
      {"fadd.s", &Translator::emit_fp_arith<false, kFAdd>},
      {"fsub.s", &Translator::emit_fp_arith<false, kFSub>},
      {"fmul.s", &Translator::emit_fp_arith<false, kFMul>},
      {"fdiv.s", &Translator::emit_fp_arith<false, kFDiv>},
      {"fadd.d", &Translator::emit_fp_arith<true, kFAdd>},
      {"fsub.d", &Translator::emit_fp_arith<true, kFSub>},
      {"fmul.d", &Translator::emit_fp_arith<true, kFMul>},
      {"fdiv.d", &Translator::emit_fp_arith<true, kFDiv>},
      {"fsqrt.s", &Translator::emit_fp_sqrt<false>},
      {"fsqrt.d", &Translator::emit_fp_sqrt<true>},
      {"fmin.s", &Translator::emit_fp_minmax<false, false>},
      {"fmax.s", &Translator::emit_fp_minmax<false, true>},
      {"fmin.d", &Translator::emit_fp_minmax<true, false>},
      {"fmax.d", &Translator::emit_fp_minmax<true, true>},
      {"feq.s", &Translator::emit_fp_compare<false, kFEq>},
      {"flt.s", &Translator::emit_fp_compare<false, kFLt>},
      {"fle.s", &Translator::emit_fp_compare<false, kFLe>},
      {"feq.d", &Translator::emit_fp_compare<true, kFEq>},
      {"flt.d", &Translator::emit_fp_compare<true, kFLt>},
      {"fle.d", &Translator::emit_fp_compare<true, kFLe>},
      {"fsgnj.s", &Translator::emit_fp_sign<false, kFSgnj>},
      {"fsgnjn.s", &Translator::emit_fp_sign<false, kFSgnjn>},
      {"fsgnjx.s", &Translator::emit_fp_sign<false, kFSgnjx>},
      {"fsgnj.d", &Translator::emit_fp_sign<true, kFSgnj>},
      {"fsgnjn.d", &Translator::emit_fp_sign<true, kFSgnjn>},
      {"fsgnjx.d", &Translator::emit_fp_sign<true, kFSgnjx>},
      {"fmv.x.w", &Translator::emit_fp_move<false, true>},
      {"fmv.w.x", &Translator::emit_fp_move<false, false>},
      {"fmv.x.d", &Translator::emit_fp_move<true, true>},
      {"fmv.d.x", &Translator::emit_fp_move<true, false>},
      {"fcvt.w.s", &Translator::emit_fp_to_int<false, kToW>},
      {"fcvt.wu.s", &Translator::emit_fp_to_int<false, kToWU>},
      {"fcvt.l.s", &Translator::emit_fp_to_int<false, kToL>},
      {"fcvt.lu.s", &Translator::emit_fp_to_int<false, kToLU>},
      {"fcvt.w.d", &Translator::emit_fp_to_int<true, kToW>},
      {"fcvt.wu.d", &Translator::emit_fp_to_int<true, kToWU>},
      {"fcvt.l.d", &Translator::emit_fp_to_int<true, kToL>},
      {"fcvt.lu.d", &Translator::emit_fp_to_int<true, kToLU>},
      {"fcvt.s.w", &Translator::emit_fp_from_int<false, kToW>},
      {"fcvt.s.wu", &Translator::emit_fp_from_int<false, kToWU>},
      {"fcvt.s.l", &Translator::emit_fp_from_int<false, kToL>},
      {"fcvt.s.lu", &Translator::emit_fp_from_int<false, kToLU>},
      {"fcvt.d.w", &Translator::emit_fp_from_int<true, kToW>},
      {"fcvt.d.wu", &Translator::emit_fp_from_int<true, kToWU>},
      {"fcvt.d.l", &Translator::emit_fp_from_int<true, kToL>},
      {"fcvt.d.lu", &Translator::emit_fp_from_int<true, kToLU>},
      {"fcvt.s.d", &Translator::emit_fcvt_s_d},
      {"fcvt.d.s", &Translator::emit_fcvt_d_s},
      // fflags, frm and fcsr natively; other CSRs run their handler
      {"csrrw", &Translator::emit_fcsr_access<kCsrWrite, false>},
      {"csrrs", &Translator::emit_fcsr_access<kCsrSet, false>},
      {"csrrc", &Translator::emit_fcsr_access<kCsrClear, false>},
      {"csrrwi", &Translator::emit_fcsr_access<kCsrWrite, true>},
      {"csrrsi", &Translator::emit_fcsr_access<kCsrSet, true>},
      {"csrrci", &Translator::emit_fcsr_access<kCsrClear, true>},
  };
  // Bit counts need LZCNT, TZCNT (BMI1) and POPCNT on the host; else their handlers run.
  static const std::unordered_map<std::string_view, E> host_dependent = [] {
    std::unordered_map<std::string_view, E> m;
    const Xbyak::util::Cpu host;
    if (host.has(Xbyak::util::Cpu::tLZCNT)) {
      m.emplace("clz", &Translator::emit_unary<kClz>);
      m.emplace("clzw", &Translator::emit_unary<kClzw>);
    }
    if (host.has(Xbyak::util::Cpu::tBMI1)) {
      m.emplace("ctz", &Translator::emit_unary<kCtz>);
      m.emplace("ctzw", &Translator::emit_unary<kCtzw>);
    }
    if (host.has(Xbyak::util::Cpu::tPOPCNT)) {
      m.emplace("cpop", &Translator::emit_unary<kCpop>);
      m.emplace("cpopw", &Translator::emit_unary<kCpopw>);
    }
    // Fused multiply-add needs FMA3 (one rounding); without it the soft-float runs them.
    if (host.has(Xbyak::util::Cpu::tFMA) && host.has(Xbyak::util::Cpu::tAVX)) {
      m.emplace("fmadd.s", &Translator::emit_fp_fused<false, kFMAdd>);
      m.emplace("fmsub.s", &Translator::emit_fp_fused<false, kFMSub>);
      m.emplace("fnmsub.s", &Translator::emit_fp_fused<false, kFNMSub>);
      m.emplace("fnmadd.s", &Translator::emit_fp_fused<false, kFNMAdd>);
      m.emplace("fmadd.d", &Translator::emit_fp_fused<true, kFMAdd>);
      m.emplace("fmsub.d", &Translator::emit_fp_fused<true, kFMSub>);
      m.emplace("fnmsub.d", &Translator::emit_fp_fused<true, kFNMSub>);
      m.emplace("fnmadd.d", &Translator::emit_fp_fused<true, kFNMAdd>);
    }
    return m;
  }();
  // Translation asks once per instruction: remember the answer by encoding, not by name.
  thread_local std::unordered_map<const riscv::Encoding*, E> by_encoding;
  if (auto hit = by_encoding.find(enc); hit != by_encoding.end()) return hit->second;
  E emit = nullptr;
  if (const auto it = table.find(enc->name); it != table.end()) emit = it->second;
  else if (const auto hd = host_dependent.find(enc->name); hd != host_dependent.end()) emit = hd->second;
  by_encoding.emplace(enc, emit);
  return emit;
}

}  // namespace vessel::jit
