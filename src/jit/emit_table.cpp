// Which encodings have a native translation: keyed by the encoding table's names, so the
// decoder's table drives the JIT's frontend as it drives the interpreter.
#include <string_view>
#include <unordered_map>

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
  };
  // Translation asks once per instruction: remember the answer by encoding, not by name.
  thread_local std::unordered_map<const riscv::Encoding*, E> by_encoding;
  if (auto hit = by_encoding.find(enc); hit != by_encoding.end()) return hit->second;
  const auto it = table.find(enc->name);
  const E emit = it == table.end() ? nullptr : it->second;
  by_encoding.emplace(enc, emit);
  return emit;
}

}  // namespace vessel::jit
