// Binds the soft-float library to the f registers: NaN boxing of singles, the rm field,
// and fflags accrual. Shared by the F and D instruction handlers.
#pragma once
#include "cpu/riscv/fp/softfloat.h"
#include "cpu/riscv/hart.h"

namespace vessel::riscv {

struct Half {
  using Bits = uint16_t;
  // NaN-boxed in the 64-bit register: the upper 48 bits all ones, else the canonical NaN.
  static Bits get(const Hart& h, unsigned r) {
    const uint64_t v = h.f[r];
    return (v >> 16) == 0xffffffffffffull ? static_cast<uint16_t>(v) : fp::kCanonicalNaN16;
  }
  static void set(Hart& h, unsigned r, Bits v) {
    h.f[r] = 0xffffffffffff0000ull | v;
    h.fp_dirty();
  }
};

struct Single {
  using Bits = uint32_t;
  // A single not properly NaN-boxed in a 64-bit register reads as the canonical NaN.
  static Bits get(const Hart& h, unsigned r) {
    const uint64_t v = h.f[r];
    return (v >> 32) == 0xffffffffu ? static_cast<uint32_t>(v) : fp::kCanonicalNaN32;
  }
  static void set(Hart& h, unsigned r, Bits v) {
    h.f[r] = 0xffffffff00000000ull | v;
    h.fp_dirty();
  }
  static constexpr Bits kSignBit = 0x80000000u;
};

struct Double {
  using Bits = uint64_t;
  static Bits get(const Hart& h, unsigned r) { return h.f[r]; }
  static void set(Hart& h, unsigned r, Bits v) {
    h.f[r] = v;
    h.fp_dirty();
  }
  static constexpr Bits kSignBit = 1ull << 63;
};

// Resolves the instruction's rm field (7 = dynamic, from frm). False: reserved mode, illegal.
inline bool rounding_mode(const Hart& h, uint32_t insn, fp::Round& rm) {
  unsigned r = (insn >> 12) & 7;
  if (r == 7) r = h.csr.frm;
  if (r > 4) return false;
  rm = static_cast<fp::Round>(r);
  return true;
}

// F/D/Zfh/Zfa instructions are illegal while mstatus.FS is Off.
inline bool fp_usable(Hart& h) {
  if (h.fp_enabled()) return true;
  h.raise_illegal();
  return false;
}

inline void accrue(Hart& h, uint8_t flags) {
  if (flags) {
    h.csr.fflags |= flags;
    h.fp_dirty();
  }
}

}  // namespace vessel::riscv
