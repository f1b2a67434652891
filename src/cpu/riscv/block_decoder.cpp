// Decoding guest code into DecodedBlocks: the encoding tables say what an instruction is;
// this file says which of them the block interpreter runs itself and with what operands.
#include <algorithm>
#include <cctype>
#include <cstring>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "cpu/riscv/decoded_block.h"
#include "cpu/riscv/hart.h"
#include "cpu/riscv/insn_fields.h"
#include "cpu/riscv/tlb.h"

namespace vessel::riscv {
namespace {

using namespace field;

void illegal(Hart& h, uint32_t) { h.raise_illegal(); }

// How an encoding is run: its operation, and whether it ends a block.
struct Classified {
  OpKind kind = OpKind::Generic;
  bool ends_block = false;
};

// Classes by encoding, one array per encoding table (a lookup is a range check and an
// index: blocks are decoded on a boot's every cold path).
class Classifier {
 public:
  Classifier() {
    static constexpr std::pair<std::string_view, OpKind> kByName[] = {
#define VESSEL_OP_NAME(name) {#name, OpKind::name},
        VESSEL_OP_KINDS(VESSEL_OP_NAME, VESSEL_OP_NAME)
#undef VESSEL_OP_NAME
    };
    std::unordered_map<std::string, OpKind> by_name;
    for (const auto& [name, kind] : kByName) {
      std::string lower(name);
      for (char& c : lower) c = static_cast<char>(tolower(c));
      by_name[lower] = kind;
    }
    for (const EncodingTable& table : encoding_tables()) {
      Table& t = tables_.emplace_back(Table{table.rows, std::vector<Classified>(table.rows.size())});
      for (size_t i = 0; i < table.rows.size(); ++i) {
        const auto it = by_name.find(table.rows[i].name);
        if (it != by_name.end()) t.classes[i].kind = it->second;
        // Privileged instructions, CSR accesses and FENCE.I may change the privilege, the
        // address space or the code: the block ends after them. FENCE only orders memory.
        t.classes[i].ends_block = table.system && std::string_view(table.rows[i].name) != "fence";
      }
    }
  }
  Classified operator()(const Encoding* e) const {
    for (const Table& t : tables_)
      if (e >= t.encodings.data() && e < t.encodings.data() + t.encodings.size()) return t.classes[e - t.encodings.data()];
    return Classified{};
  }

 private:
  struct Table {
    std::span<const Encoding> encodings;
    std::vector<Classified> classes;
  };
  std::vector<Table> tables_;
};

bool is_load(OpKind k) { return k >= OpKind::Lb && k <= OpKind::Lwu; }
bool is_store(OpKind k) { return k >= OpKind::Sb && k <= OpKind::Sd; }
bool is_shift_imm(OpKind k) {
  return k == OpKind::Slli || k == OpKind::Srli || k == OpKind::Srai || k == OpKind::Slliw || k == OpKind::Srliw ||
         k == OpKind::Sraiw;
}
bool is_immediate_w(OpKind k) { return k >= OpKind::Addiw && k <= OpKind::Sraiw; }

// Fills the operands of `op` (kind already set) from the 32-bit instruction `i`.
void set_operands(DecodedOp& op, uint32_t i) {
  const OpKind k = op.kind;
  op.rd = static_cast<uint8_t>(rd(i));
  op.rs1 = static_cast<uint8_t>(rs1(i));
  op.rs2 = static_cast<uint8_t>(rs2(i));
  if (k == OpKind::Lui || k == OpKind::Auipc) op.imm = static_cast<int32_t>(imm_u(i));
  else if (k == OpKind::Jal) op.imm = static_cast<int32_t>(imm_j(i));
  else if (k >= OpKind::Beq && k <= OpKind::Bgeu) op.imm = static_cast<int32_t>(imm_b(i));
  else if (is_store(k)) op.imm = static_cast<int32_t>(imm_s(i));
  else if (is_shift_imm(k)) op.imm = static_cast<int32_t>((i >> 20) & (is_immediate_w(k) ? 31 : 63));
  else op.imm = static_cast<int32_t>(imm_i(i));  // I-type; unused by register-register ops
}

// Operations that leave their rd in the runner's result register.
bool sets_result(OpKind k) { return k >= OpKind::Lui && k != OpKind::Jal && !is_control(k) && !is_store(k); }
bool reads_rs1(OpKind k) { return k >= OpKind::Jalr; }
bool reads_rs2(OpKind k) {
  return (k >= OpKind::Beq && k <= OpKind::Bgeu) || is_store(k) || (k >= OpKind::Add && k <= OpKind::And) ||
         (k >= OpKind::Addw && k <= OpKind::Sraw) || k >= OpKind::Mul;
}

}  // namespace

OperandForm operand_form(const DecodedOp* prev, const DecodedOp& op) {
  if (!prev || !sets_result(prev->kind)) return kFromMemory;
  unsigned form = kFromMemory;
  if (reads_rs1(op.kind) && op.rs1 == prev->rd) form |= kRs1Forwarded;
  if (reads_rs2(op.kind) && op.rs2 == prev->rd) form |= kRs2Forwarded;
  return static_cast<OperandForm>(form);
}

unsigned decode_block(const Decoder& decoder, uint64_t pc, const uint8_t* guest, unsigned max_ops, DecodedOp* out, GenericOp* generic,
                      unsigned& generics, DecodedSpan& span) {
  static const Classifier classify;
  // Offsets from pc that stay on its page: [page_first, page_end).
  const int page_first = -static_cast<int>(pc & (kPageSize - 1));
  const int page_end = page_first + static_cast<int>(kPageSize);
  int offset = 0, lowest = 0, highest = 0;
  unsigned count = 0;
  generics = 0;
  bool ended = false;
  while (count < max_ops && !ended && offset + 2 <= page_end) {
    uint16_t low;
    memcpy(&low, guest + offset, 2);
    uint32_t raw = low, insn;
    unsigned length = 2;
    if ((low & 3) == 3) {
      if (offset + 4 > page_end) break;  // crosses the page: the interpreter steps it
      memcpy(&raw, guest + offset, 4);
      insn = raw;
      length = 4;
    } else {
      insn = decoder.expand(low);
    }
    const Encoding* enc = insn ? decoder.find(insn) : nullptr;
    const Classified c = enc ? classify(enc) : Classified{};
    DecodedOp& op = out[count++];
    op = DecodedOp{};
    op.offset = static_cast<int16_t>(offset);
    op.length = static_cast<uint8_t>(length);
    op.kind = c.kind;
    if (op.kind != OpKind::Generic) set_operands(op, insn);
    // Loads into x0 still access memory (and may fault): the generic handler does that.
    if (op.rd == 0 && is_load(op.kind)) op.kind = OpKind::Generic;
    // Register writes to x0 without side effects do nothing.
    if (op.rd == 0 && op.kind >= OpKind::Lui && !is_control(op.kind) && !is_load(op.kind) && !is_store(op.kind))
      op.kind = OpKind::Nop;
    if (op.kind == OpKind::Addi && op.rs1 == 0) op.kind = OpKind::Lui;  // li: a constant
    else if (op.kind == OpKind::Addi && op.imm == 0) op.kind = OpKind::Mv;
    else if (op.kind == OpKind::Add && (op.rs1 == 0 || op.rs2 == 0)) {
      op.kind = OpKind::Mv;
      op.rs1 = op.rs1 ? op.rs1 : op.rs2;
    } else if (op.kind == OpKind::Addiw && op.imm == 0) {
      op.kind = OpKind::SextW;
    }
    if (op.kind == OpKind::Generic) {
      generic[generics] = GenericOp{enc ? enc->handler : illegal, insn, raw};
      op.imm = static_cast<int32_t>(generics++);
      op.rd = op.rs1 = op.rs2 = 0;
    }
    op.ends_block = c.ends_block;
    lowest = std::min(lowest, offset);
    highest = std::max(highest, offset + static_cast<int>(length));
    const int target = offset + op.imm;
    if (op.kind == OpKind::Jal && target >= page_first && target + 2 <= page_end && count < max_ops) {
      // A jump on the page: the block goes on at its target; the link is a constant.
      op.kind = op.rd ? OpKind::Auipc : OpKind::Nop;
      op.imm = static_cast<int32_t>(length);
      offset = target;
      continue;
    }
    offset += static_cast<int>(length);
    ended = c.ends_block || is_control(op.kind);
  }
  if (count && !is_control(out[count - 1].kind)) {
    DecodedOp& end = out[count];
    end = DecodedOp{};
    end.kind = OpKind::End;
    end.offset = static_cast<int16_t>(offset);
  }
  span = DecodedSpan{lowest, static_cast<unsigned>(highest - lowest)};
  return count;
}

}  // namespace vessel::riscv
