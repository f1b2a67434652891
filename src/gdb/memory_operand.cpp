#include "gdb/memory_operand.h"

namespace vessel::gdb {

namespace {

int64_t sext(uint64_t v, unsigned bits) { return static_cast<int64_t>(v << (64 - bits)) >> (64 - bits); }
uint32_t bits(uint32_t v, unsigned hi, unsigned lo) { return (v >> lo) & ((1u << (hi - lo + 1)) - 1); }

std::optional<MemoryOperand> compressed(const riscv::Hart& h, uint16_t c) {
  const unsigned op = c & 3, funct3 = c >> 13;
  const unsigned rs1p = 8 + bits(c, 9, 7);
  MemoryOperand m;
  if (op == 0 && funct3 == 4) {  // Zcb: c.lbu, c.lhu/c.lh, c.sb, c.sh
    if (!h.has(riscv::Ext::Zcb)) return std::nullopt;
    const unsigned kind = bits(c, 12, 10);
    const uint64_t byte_off = bits(c, 6, 6) | (bits(c, 5, 5) << 1), half_off = bits(c, 5, 5) << 1;
    switch (kind) {
      case 0: return MemoryOperand{h.x[rs1p] + byte_off, 1, true, false};
      case 1: return MemoryOperand{h.x[rs1p] + half_off, 2, true, false};
      case 2: return MemoryOperand{h.x[rs1p] + byte_off, 1, false, true};
      case 3: return bits(c, 6, 6) ? std::nullopt : std::optional(MemoryOperand{h.x[rs1p] + half_off, 2, false, true});
      default: return std::nullopt;
    }
  }
  if (op == 0) {  // c.fld c.lw c.ld / c.fsd c.sw c.sd: base rs1', offset scaled
    if (funct3 == 0 || funct3 == 4) return std::nullopt;
    const bool word = funct3 == 2 || funct3 == 6;
    const uint64_t off = word ? (bits(c, 12, 10) << 3) | (bits(c, 6, 6) << 2) | (bits(c, 5, 5) << 6)
                              : (bits(c, 12, 10) << 3) | (bits(c, 6, 5) << 6);
    m = {h.x[rs1p] + off, word ? 4u : 8u, funct3 < 4, funct3 > 4};
    return m;
  }
  if (op == 2) {  // stack-relative: c.fldsp c.lwsp c.ldsp / c.fsdsp c.swsp c.sdsp
    const uint64_t sp = h.x[2];
    switch (funct3) {
      case 1: case 3: return MemoryOperand{sp + ((bits(c, 12, 12) << 5) | (bits(c, 6, 5) << 3) | (bits(c, 4, 2) << 6)), 8, true, false};
      case 2: return MemoryOperand{sp + ((bits(c, 12, 12) << 5) | (bits(c, 6, 4) << 2) | (bits(c, 3, 2) << 6)), 4, true, false};
      case 5: case 7: return MemoryOperand{sp + ((bits(c, 12, 10) << 3) | (bits(c, 9, 7) << 6)), 8, false, true};
      case 6: return MemoryOperand{sp + ((bits(c, 12, 9) << 2) | (bits(c, 8, 7) << 6)), 4, false, true};
      default: return std::nullopt;
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<MemoryOperand> memory_operand(const riscv::Hart& h, uint32_t insn) {
  if ((insn & 3) != 3) return compressed(h, static_cast<uint16_t>(insn));
  const unsigned opcode = insn & 0x7f, funct3 = bits(insn, 14, 12), rs1 = bits(insn, 19, 15);
  const uint64_t base = h.x[rs1];
  switch (opcode) {
    case 0x03:  // loads: lb lh lw ld lbu lhu lwu
    case 0x07:  // flw fld
      return MemoryOperand{base + static_cast<uint64_t>(sext(insn >> 20, 12)), 1u << (funct3 & 3), true, false};
    case 0x23:  // stores
    case 0x27: {
      const uint64_t imm = (bits(insn, 31, 25) << 5) | bits(insn, 11, 7);
      return MemoryOperand{base + static_cast<uint64_t>(sext(imm, 12)), 1u << (funct3 & 3), false, true};
    }
    case 0x2f: {  // AMOs, LR (reads only), SC (writes)
      const unsigned funct5 = bits(insn, 31, 27);
      const unsigned size = funct3 == 3 ? 8 : 4;
      return MemoryOperand{base, size, funct5 != 3, funct5 != 2};
    }
    case 0x0f:  // cbo.zero writes its whole 64-byte block (the other cache-block operations no bytes)
      if (funct3 == 2 && (insn >> 20) == 4 && h.has(riscv::Ext::Zicboz))
        return MemoryOperand{base & ~uint64_t{riscv::kCacheBlockBytes - 1}, riscv::kCacheBlockBytes, false, true};
      return std::nullopt;
    default: return std::nullopt;
  }
}

}  // namespace vessel::gdb
