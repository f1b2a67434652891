#include "random_fp_program.h"

#include <bit>
#include <cmath>
#include <limits>

#include "cpu/riscv/csr_numbers.h"
#include "cpu/riscv/decoder.h"

namespace vessel::jit::test {
namespace {

using riscv::Encoding;
constexpr uint64_t kFsMask = riscv::mstatus::kFS, kFsUnit = kFsMask / 3;  // FS: Off, Initial, Clean, Dirty

// x1-x9 point into the data pages; x10-x28 hold integers and receive x results; x29-x31
// hold mstatus.FS masks.
constexpr unsigned kFirstPointer = 1, kPointers = 9, kFirstInt = 10, kInts = 19;
constexpr unsigned kFsOff = 31, kFsInitial = 30, kFsClean = 29;

std::vector<const Encoding*> fp_encodings() {
  std::vector<const Encoding*> out;
  for (const Encoding& e : riscv::rv64f_encodings()) out.push_back(&e);
  for (const Encoding& e : riscv::rv64d_encodings()) out.push_back(&e);
  return out;
}

double pick_double(std::mt19937_64& rng) {
  constexpr double inf = std::numeric_limits<double>::infinity();
  static const double values[] = {
      0.0, 1.0, 0.5, 1.5, 2.5, 3.0, 0.1, 1e300, 1e-300, inf,
      std::numeric_limits<double>::max(), std::numeric_limits<double>::min(),
      std::numeric_limits<double>::denorm_min(), std::numeric_limits<double>::min() / 3,
      2147483647.0, 2147483647.5, 2147483648.0, 2147483648.5, -2147483648.0, -2147483648.5, -2147483649.0,
      4294967295.0, 4294967295.5, 4294967296.0, 9223372036854775808.0, 9223372036854774784.0,
      18446744073709551616.0, 18446744073709549568.0, 0.49999999999999994, 1e-310, 3.4028234663852886e38,
      3.4028235677973366e38, 1.1754942e-38, 1.401298464324817e-45, 7.0064923216240854e-46};
  double v = rng() % 4 ? values[rng() % std::size(values)]
                       : std::ldexp(static_cast<double>(rng() % 1000000 + 1) / 1000.0, static_cast<int>(rng() % 80) - 40);
  return rng() % 2 ? -v : v;
}

uint64_t pick_double_bits(std::mt19937_64& rng) {
  switch (rng() % 10) {
    case 0: return 0x7ff8000000000000ull | (rng() % 4);                  // quiet NaNs
    case 1: return 0x7ff0000000000001ull | (rng() & 0x0007ffffffffffffull);  // signaling NaNs
    case 2: return rng();
    default: return std::bit_cast<uint64_t>(pick_double(rng));
  }
}

uint64_t pick_single_bits(std::mt19937_64& rng) {
  uint32_t bits;
  switch (rng() % 10) {
    case 0: bits = 0x7fc00000u | (rng() % 4); break;
    case 1: bits = 0x7f800001u | (rng() & 0x3fffffu); break;
    case 2: bits = static_cast<uint32_t>(rng()); break;
    default: bits = std::bit_cast<uint32_t>(static_cast<float>(pick_double(rng)));
  }
  // Mostly NaN-boxed; an unboxed single reads as the canonical NaN.
  const uint64_t upper = rng() % 8 ? 0xffffffff00000000ull : (rng() << 32);
  return upper | bits;
}

uint64_t pick_integer(std::mt19937_64& rng) {
  static const uint64_t values[] = {0, 1, 2, 3, ~0ull, 0x7fffffff, 0x80000000, 0xffffffff, 0x100000000,
                                    0x7fffffffffffffff, 0x8000000000000000, (1ull << 53) + 1, (1ull << 24) + 1,
                                    0xffffffff80000000, 0xfffffffffffffffe, 12345678};
  return rng() % 3 ? values[rng() % std::size(values)] : rng();
}

void push32(std::vector<uint8_t>& code, uint32_t w) {
  for (int b = 0; b < 4; ++b) code.push_back(static_cast<uint8_t>(w >> (8 * b)));
}

// csrrw/csrrs/csrrc and their immediate forms on fflags, frm or fcsr.
uint32_t fcsr_access(std::mt19937_64& rng) {
  static const unsigned funct3s[] = {1, 2, 3, 5, 6, 7};
  const uint32_t csr = 1 + rng() % 3, f3 = funct3s[rng() % 6];
  const uint32_t rs1 = f3 >= 5 ? rng() % 32 : kFirstInt + rng() % kInts;  // uimm or an integer
  const uint32_t rd = rng() % 2 ? 0 : kFirstInt + rng() % kInts;
  return (csr << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | 0x73;
}

}  // namespace

RandomProgram make_random_fp_program(std::mt19937_64& rng, unsigned instructions) {
  static const std::vector<const Encoding*> encodings = fp_encodings();
  RandomProgram p;
  p.mode = RandomProgram::Mode::Machine;
  p.entry = kCodePage + ((rng() % 1024) & ~3ull);
  for (unsigned i = 0; i < instructions; ++i) {
    const unsigned pick = rng() % 100;
    if (pick < 6) {
      push32(p.code, fcsr_access(rng));
      continue;
    }
    if (pick < 8) {  // mstatus.FS: off (FP instructions trap) or back to Initial/Clean
      const unsigned mask = pick == 6 ? kFsOff : (rng() % 2 ? kFsInitial : kFsClean);
      const uint32_t f3 = pick == 6 ? 3 : 2;  // csrrc / csrrs
      push32(p.code, (0x300u << 20) | (mask << 15) | (f3 << 12) | 0x73);
      continue;
    }
    const Encoding* e = encodings[rng() % encodings.size()];
    uint32_t w = e->match | (static_cast<uint32_t>(rng()) & ~e->mask);
    const uint32_t op = w & 0x7f;
    if (op == 0x07 || op == 0x27) {  // loads and stores: a data pointer and a small offset
      const uint32_t base = kFirstPointer + rng() % kPointers;
      w = (w & ~(31u << 15)) | (base << 15);
      const uint32_t imm = static_cast<uint32_t>(rng() % 64) & ~7u;
      if (op == 0x07) w = (w & 0xfffff) | (imm << 20);
      else w = (w & 0x1fff07f) | ((imm >> 5) << 25) | ((imm & 31) << 7);
    }
    if (op == 0x53) {
      const uint32_t funct5 = w >> 27;
      // Integer sources and destinations stay away from the pointers and FS masks.
      if (funct5 == 0x1a || funct5 == 0x1e) w = (w & ~(31u << 15)) | ((kFirstInt + rng() % kInts) << 15);
      if (funct5 == 0x14 || funct5 == 0x18 || funct5 == 0x1c) w = (w & ~(31u << 7)) | ((kFirstInt + rng() % kInts) << 7);
    }
    // The rm field: every static mode, the dynamic one often, the reserved ones rarely.
    if (op == 0x53 || (op & 0x73) == 0x43) {
      static const uint32_t modes[] = {0, 1, 2, 3, 4, 7, 7, 7, 0, 1};
      const uint32_t rm = rng() % 50 ? modes[rng() % std::size(modes)] : 5 + rng() % 2;
      if (!(e->mask & (7u << 12))) w = (w & ~(7u << 12)) | (rm << 12);
    }
    push32(p.code, w);
  }
  for (unsigned r = kFirstPointer; r < kFirstPointer + kPointers; ++r)
    p.x[r] = kDataBase + (rng() % kDataPages) * 4096 + (rng() % 4000 & ~7ull);
  for (unsigned r = kFirstInt; r < kFirstInt + kInts; ++r) p.x[r] = pick_integer(rng);
  p.x[kFsOff] = kFsMask;
  p.x[kFsInitial] = kFsUnit;
  p.x[kFsClean] = 2 * kFsUnit;
  for (auto& v : p.f) v = rng() % 2 ? pick_double_bits(rng) : pick_single_bits(rng);
  p.frm = static_cast<uint8_t>(rng() % 6 ? rng() % 5 : 5 + rng() % 3);
  p.fs = (rng() % 3 + 1) * kFsUnit;  // Initial, Clean or Dirty
  p.data.resize(kDataPages * 4096);
  for (size_t at = 0; at + 8 <= p.data.size(); at += 8) {
    const uint64_t v = rng() % 2 ? pick_double_bits(rng) : pick_single_bits(rng);
    for (int b = 0; b < 8; ++b) p.data[at + b] = static_cast<uint8_t>(v >> (8 * b));
  }
  return p;
}

}  // namespace vessel::jit::test
