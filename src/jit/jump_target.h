// Jump targets inside one translated block, bound once, jumped to from a few places.
// Xbyak's labels keep hash maps of definitions and pending references (several heap
// allocations per label, a dozen labels per block); a block's targets are few and their
// uses known, so a fixed array of sites to patch is enough.
#pragma once
#include <cstdint>
#include <cstring>

namespace vessel::jit {

// x86 condition codes (the low nibble of Jcc's opcode), and an unconditional jump.
enum class Cond : uint8_t {
  B = 0x2, AE = 0x3, E = 0x4, NE = 0x5, BE = 0x6, A = 0x7, P = 0xa, NP = 0xb, L = 0xc, GE = 0xd, Always = 0xff
};

// Points the rel32 field of a jump (the 4 bytes ending the instruction) at `target`.
inline void patch_rel32(uint8_t* field, const uint8_t* target) {
  const auto rel = static_cast<int32_t>(target - (field + 4));
  memcpy(field, &rel, 4);
}

struct JumpTarget {
  static constexpr unsigned kMaxPendingSites = 8;  // an F/D slow path has up to 6
  uint8_t* bound = nullptr;                 // where the target is, once known
  uint8_t* pending[kMaxPendingSites] = {};  // rel32 fields jumping here before it was bound
  unsigned pending_count = 0;
};

}  // namespace vessel::jit
