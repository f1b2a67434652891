// Differential tests of the soft-float library against the host's SSE/FMA3 unit.
// x86 SSE rounds IEEE-correctly in RNE/RTZ/RDN/RUP and, like RISC-V, detects
// tininess after rounding, so results and flags must match bit for bit (NaN
// results only as "a NaN", ours canonical). RMM, which x86 lacks, is checked for
// binary32 by finding exact ties with binary64 arithmetic.
#include <gtest/gtest.h>

#include <bit>
#include <cstdint>
#include <cstdio>
#include <random>
#include <string>

#include "cpu/riscv/fp/softfloat.h"

namespace vessel::fp {
namespace {

// ---------------------------------------------------------------------------
// Host execution. Each asm block loads MXCSR, runs one instruction, saves MXCSR
// and restores the default, so the compiler cannot move FP work across it.

constexpr uint32_t kDefaultCsr = 0x1f80;  // all exceptions masked, RNE, DAZ/FTZ off

uint32_t csrFor(Round rm) {
  switch (rm) {
    case Round::NearestEven: return kDefaultCsr;
    case Round::Down: return kDefaultCsr | (1u << 13);
    case Round::Up: return kDefaultCsr | (2u << 13);
    case Round::TowardZero: return kDefaultCsr | (3u << 13);
    case Round::NearestMaxMag: break;
  }
  ADD_FAILURE() << "x86 has no RMM";
  return kDefaultCsr;
}

// MXCSR flags IE(0) DE(1) ZE(2) OE(3) UE(4) PE(5) as fflags; DE has no RISC-V equivalent.
uint8_t riscvFlags(uint32_t csr) {
  uint8_t f = 0;
  if (csr & 0x01) f |= Invalid;
  if (csr & 0x04) f |= DivByZero;
  if (csr & 0x08) f |= Overflow;
  if (csr & 0x10) f |= Underflow;
  if (csr & 0x20) f |= Inexact;
  return f;
}

template <class T>
struct Host {
  T value;
  uint8_t flags;
};

// x = x op y on raw bit patterns (sqrt: x = sqrt(y)).
#define VESSEL_HOST_OP2(name, insn, Float, Bits)                                                  \
  Host<Bits> name(Bits a, Bits b, Round rm) {                                                     \
    Float x = std::bit_cast<Float>(a);                                                            \
    const Float y = std::bit_cast<Float>(b);                                                      \
    uint32_t in = csrFor(rm), out = 0, def = kDefaultCsr;                                         \
    asm volatile("ldmxcsr %[in]\n\t" insn " %[y], %[x]\n\tstmxcsr %[out]\n\tldmxcsr %[def]"       \
                 : [x] "+x"(x), [out] "=m"(out)                                                   \
                 : [y] "x"(y), [in] "m"(in), [def] "m"(def));                                     \
    return {std::bit_cast<Bits>(x), riscvFlags(out)};                                             \
  }
VESSEL_HOST_OP2(hostAdd64, "addsd", double, uint64_t)
VESSEL_HOST_OP2(hostSub64, "subsd", double, uint64_t)
VESSEL_HOST_OP2(hostMul64, "mulsd", double, uint64_t)
VESSEL_HOST_OP2(hostDiv64, "divsd", double, uint64_t)
VESSEL_HOST_OP2(hostSqrt64, "sqrtsd", double, uint64_t)
VESSEL_HOST_OP2(hostEq64, "cmpeqsd", double, uint64_t)  // EQ_OQ: quiet, like feq
VESSEL_HOST_OP2(hostLt64, "cmpltsd", double, uint64_t)  // LT_OS: signaling, like flt
VESSEL_HOST_OP2(hostLe64, "cmplesd", double, uint64_t)  // LE_OS: signaling, like fle
VESSEL_HOST_OP2(hostAdd32, "addss", float, uint32_t)
VESSEL_HOST_OP2(hostSub32, "subss", float, uint32_t)
VESSEL_HOST_OP2(hostMul32, "mulss", float, uint32_t)
VESSEL_HOST_OP2(hostDiv32, "divss", float, uint32_t)
VESSEL_HOST_OP2(hostSqrt32, "sqrtss", float, uint32_t)
VESSEL_HOST_OP2(hostEq32, "cmpeqss", float, uint32_t)
VESSEL_HOST_OP2(hostLt32, "cmpltss", float, uint32_t)
VESSEL_HOST_OP2(hostLe32, "cmpless", float, uint32_t)
#undef VESSEL_HOST_OP2

// z = x * y + z with one rounding (FMA3).
#define VESSEL_HOST_FMA(name, insn, Float, Bits)                                                  \
  Host<Bits> name(Bits a, Bits b, Bits c, Round rm) {                                             \
    const Float x = std::bit_cast<Float>(a), y = std::bit_cast<Float>(b);                         \
    Float z = std::bit_cast<Float>(c);                                                            \
    uint32_t in = csrFor(rm), out = 0, def = kDefaultCsr;                                         \
    asm volatile("ldmxcsr %[in]\n\t" insn " %[y], %[x], %[z]\n\tstmxcsr %[out]\n\tldmxcsr %[def]" \
                 : [z] "+x"(z), [out] "=m"(out)                                                   \
                 : [x] "x"(x), [y] "x"(y), [in] "m"(in), [def] "m"(def));                         \
    return {std::bit_cast<Bits>(z), riscvFlags(out)};                                             \
  }
VESSEL_HOST_FMA(hostFma64, "vfmadd231sd", double, uint64_t)
VESSEL_HOST_FMA(hostFma32, "vfmadd231ss", float, uint32_t)
#undef VESSEL_HOST_FMA

// Conversions `insn src, dst`; the rounding ones obey MXCSR.RC.
#define VESSEL_HOST_CVT(name, insn, Src, Dst, src_constraint, dst_constraint)                     \
  Host<Dst> name(Src s, Round rm) {                                                               \
    Dst d{};                                                                                      \
    uint32_t in = csrFor(rm), out = 0, def = kDefaultCsr;                                         \
    asm volatile("ldmxcsr %[in]\n\t" insn " %[s], %[d]\n\tstmxcsr %[out]\n\tldmxcsr %[def]"       \
                 : [d] dst_constraint(d), [out] "=m"(out)                                         \
                 : [s] src_constraint(s), [in] "m"(in), [def] "m"(def));                          \
    return {d, riscvFlags(out)};                                                                  \
  }
VESSEL_HOST_CVT(hostF64ToF32, "cvtsd2ss", double, float, "x", "=x")
VESSEL_HOST_CVT(hostF32ToF64, "cvtss2sd", float, double, "x", "=x")
VESSEL_HOST_CVT(hostF64ToI64, "cvtsd2si", double, int64_t, "x", "=r")
VESSEL_HOST_CVT(hostI32ToF64, "cvtsi2sdl", int32_t, double, "r", "=x")
VESSEL_HOST_CVT(hostI64ToF64, "cvtsi2sdq", int64_t, double, "r", "=x")
VESSEL_HOST_CVT(hostI32ToF32, "cvtsi2ssl", int32_t, float, "r", "=x")
VESSEL_HOST_CVT(hostI64ToF32, "cvtsi2ssq", int64_t, float, "r", "=x")
#undef VESSEL_HOST_CVT

// ---------------------------------------------------------------------------
// Operands, biased toward the values where soft-float bugs live.

struct Layout {
  int frac_bits;
  int exp_bits;
  uint64_t fracMask() const { return (uint64_t{1} << frac_bits) - 1; }
  int maxExp() const { return (1 << exp_bits) - 1; }
  int bias() const { return (1 << (exp_bits - 1)) - 1; }
  uint64_t signBit() const { return uint64_t{1} << (frac_bits + exp_bits); }
  uint64_t make(bool s, int e, uint64_t f) const {
    return (s ? signBit() : 0) | (static_cast<uint64_t>(e) << frac_bits) | (f & fracMask());
  }
};
constexpr Layout kL32{23, 8};
constexpr Layout kL64{52, 11};

class Gen {
 public:
  explicit Gen(uint64_t seed) : rng_(seed) {}
  uint64_t u64() { return rng_(); }
  int range(int lo, int hi) { return lo + static_cast<int>(rng_() % static_cast<uint64_t>(hi - lo + 1)); }
  bool coin() { return rng_() & 1; }

  // Fractions with many trailing zeros make exact results and rounding ties likely;
  // all-ones and near-zero fractions sit next to binade boundaries.
  uint64_t frac(const Layout& l) {
    const uint64_t f = rng_() & l.fracMask();
    switch (rng_() % 4) {
      case 0: return f;
      case 1: return f & ~((uint64_t{1} << range(0, l.frac_bits)) - 1);
      case 2: return f >> range(0, l.frac_bits);
      default: return coin() ? l.fracMask() - rng_() % 4 : rng_() % 4;
    }
  }

  uint64_t value(const Layout& l) {
    const bool s = coin();
    const int max_e = l.maxExp();
    switch (rng_() % 16) {
      case 0: return l.make(s, 0, 0);
      case 1: return l.make(s, 0, frac(l) | 1);                                  // subnormal
      case 2: return l.make(s, range(1, 3), frac(l));                            // smallest normals
      case 3: return l.make(s, max_e - 1 - range(0, 2), frac(l));                // largest finite
      case 4: return l.make(s, max_e, coin() ? 0 : frac(l) | (coin() ? 1 : 0));  // inf, NaN
      case 5: return l.make(s, l.bias() + range(-1, 0), frac(l));               // near 1
      case 6: {                                                                 // near integer bounds
        static constexpr int kPowers[] = {-2, -1, 0, 1, 15, 16, 30, 31, 32, 52, 53, 62, 63, 64};
        return l.make(s, l.bias() + kPowers[rng_() % 14], frac(l));
      }
      case 7: return l.make(s, l.bias() + range(-40, 40), frac(l));
      case 8: return l.make(s, range(0, max_e / 4), frac(l));          // products underflow
      case 9: return l.make(s, range(max_e / 2, max_e - 1), frac(l));  // products overflow
      case 10: return l.make(s, l.bias() + range(-3, 3), rng_() & 7);  // small halves and integers
      case 11: return rng_() & (l.signBit() * 2 - 1);                  // any pattern
      default: return l.make(s, range(0, max_e - 1), frac(l));
    }
  }

 private:
  std::mt19937_64 rng_;
};

// A second operand related to the first (cancellation, equal magnitudes) or not.
uint64_t partner(Gen& g, const Layout& l, uint64_t a) {
  switch (g.u64() % 4) {
    case 0: return a ^ (g.coin() ? l.signBit() : 0);
    case 1: return (a + static_cast<uint64_t>(g.range(-3, 3))) ^ (g.coin() ? l.signBit() : 0);
    default: return g.value(l);
  }
}

// ---------------------------------------------------------------------------
// Checking.

constexpr Round kHostModes[] = {Round::NearestEven, Round::TowardZero, Round::Down, Round::Up};
constexpr int kIters = 80000;  // per operation and rounding mode

bool isNaN32(uint32_t x) { return (x & 0x7fffffffu) > 0x7f800000u; }
bool isNaN64(uint64_t x) { return (x << 1) > (uint64_t{0x7ff} << 53); }

std::string hex(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%#llx", static_cast<unsigned long long>(v));
  return buf;
}
std::string ops(uint64_t a) { return hex(a); }
std::string ops(uint64_t a, uint64_t b) { return hex(a) + "," + hex(b); }
std::string ops(uint64_t a, uint64_t b, uint64_t c) { return hex(a) + "," + hex(b) + "," + hex(c); }

// Counts cases and reports only the first few mismatches so one bug cannot flood the log.
class Checker {
 public:
  // `expect_nan`: the reference produced some NaN, so ours must be `canonical`.
  void check(const char* what, const std::string& operands, Round rm, uint64_t ours, uint8_t our_flags,
             uint64_t expected, uint8_t expected_flags, bool expect_nan = false, uint64_t canonical = 0) {
    ++count_;
    const bool ok = our_flags == expected_flags && ours == (expect_nan ? canonical : expected);
    if (ok) return;
    if (++failures_ <= 10) {
      ADD_FAILURE() << what << " rm=" << static_cast<int>(rm) << " (" << operands << "): ours " << hex(ours)
                    << " flags " << int{our_flags} << ", expected " << hex(expected) << " flags "
                    << int{expected_flags};
    }
  }
  void check64(const char* what, const std::string& operands, Round rm, uint64_t ours, uint8_t our_flags,
               Host<uint64_t> h) {
    check(what, operands, rm, ours, our_flags, h.value, h.flags, isNaN64(h.value), kCanonicalNaN64);
  }
  void check32(const char* what, const std::string& operands, Round rm, uint32_t ours, uint8_t our_flags,
               Host<uint32_t> h) {
    check(what, operands, rm, ours, our_flags, h.value, h.flags, isNaN32(h.value), kCanonicalNaN32);
  }
  ~Checker() {
    EXPECT_EQ(failures_, 0u) << "mismatches in " << count_ << " cases";
    std::printf("[ cases    ] %llu compared\n", static_cast<unsigned long long>(count_));
  }

 private:
  uint64_t count_ = 0;
  uint64_t failures_ = 0;
};

// ---------------------------------------------------------------------------
// Arithmetic in RNE/RTZ/RDN/RUP.

template <class Ours, class HostOp>
void runBinary64(Checker& c, const char* what, Ours ours_fn, HostOp host_fn, uint64_t seed) {
  Gen g(seed);
  for (Round rm : kHostModes) {
    for (int i = 0; i < kIters; ++i) {
      const uint64_t a = g.value(kL64), b = partner(g, kL64, a);
      uint8_t f = 0;
      const uint64_t ours = ours_fn(a, b, rm, f);
      c.check64(what, ops(a, b), rm, ours, f, host_fn(a, b, rm));
    }
  }
}

template <class Ours, class HostOp>
void runBinary32(Checker& c, const char* what, Ours ours_fn, HostOp host_fn, uint64_t seed) {
  Gen g(seed);
  for (Round rm : kHostModes) {
    for (int i = 0; i < kIters; ++i) {
      const auto a = static_cast<uint32_t>(g.value(kL32)), b = static_cast<uint32_t>(partner(g, kL32, a));
      uint8_t f = 0;
      const uint32_t ours = ours_fn(a, b, rm, f);
      c.check32(what, ops(a, b), rm, ours, f, host_fn(a, b, rm));
    }
  }
}

TEST(FpHost, AddSub) {
  Checker c;
  runBinary64(c, "f64_add", f64_add, hostAdd64, 1);
  runBinary64(c, "f64_sub", f64_sub, hostSub64, 2);
  runBinary32(c, "f32_add", f32_add, hostAdd32, 3);
  runBinary32(c, "f32_sub", f32_sub, hostSub32, 4);
}

TEST(FpHost, MulDiv) {
  Checker c;
  runBinary64(c, "f64_mul", f64_mul, hostMul64, 5);
  runBinary32(c, "f32_mul", f32_mul, hostMul32, 6);
  runBinary64(c, "f64_div", f64_div, hostDiv64, 7);
  runBinary32(c, "f32_div", f32_div, hostDiv32, 8);
}

TEST(FpHost, Sqrt) {
  Checker c;
  Gen g(9);
  for (Round rm : kHostModes) {
    for (int i = 0; i < kIters; ++i) {
      const uint64_t a = g.value(kL64);
      uint8_t f = 0;
      const uint64_t ours = f64_sqrt(a, rm, f);
      c.check64("f64_sqrt", ops(a), rm, ours, f, hostSqrt64(0, a, rm));
      const auto s = static_cast<uint32_t>(g.value(kL32));
      f = 0;
      const uint32_t ours32 = f32_sqrt(s, rm, f);
      c.check32("f32_sqrt", ops(s), rm, ours32, f, hostSqrt32(0, s, rm));
    }
  }
}

// Addend: random, or the negated rounded product nudged by a few ulps (deep cancellation).
uint64_t addend64(Gen& g, uint64_t a, uint64_t b) {
  if (g.u64() % 3 != 0) return g.value(kL64);
  return (hostMul64(a, b, Round::NearestEven).value ^ (uint64_t{1} << 63)) + static_cast<uint64_t>(g.range(-2, 2));
}
uint32_t addend32(Gen& g, uint32_t a, uint32_t b) {
  if (g.u64() % 3 != 0) return static_cast<uint32_t>(g.value(kL32));
  return (hostMul32(a, b, Round::NearestEven).value ^ (uint32_t{1} << 31)) + static_cast<uint32_t>(g.range(-2, 2));
}

// x86 does not raise Invalid for inf * 0 + qNaN; RISC-V (SoftFloat) does.
bool infTimesZero(const Layout& l, uint64_t a, uint64_t b) {
  const uint64_t inf = static_cast<uint64_t>(l.maxExp()) << l.frac_bits, abs_mask = l.signBit() - 1;
  const uint64_t x = a & abs_mask, y = b & abs_mask;
  return (x == inf && y == 0) || (x == 0 && y == inf);
}
template <class Bits>
Host<Bits> riscvFma(Host<Bits> h, const Layout& l, uint64_t a, uint64_t b) {
  if (infTimesZero(l, a, b)) h.flags |= Invalid;
  return h;
}

TEST(FpHost, MulAdd) {
  if (!__builtin_cpu_supports("fma")) GTEST_SKIP() << "host has no FMA3";
  Checker c;
  Gen g(10);
  for (Round rm : kHostModes) {
    for (int i = 0; i < 2 * kIters; ++i) {
      // The four RISC-V variants against the host's fmadd on negated operands.
      const bool np = g.coin(), nc = g.coin();
      const std::string variant = std::string(np ? " -p" : "") + (nc ? " -c" : "");
      const uint64_t a = g.value(kL64), b = g.value(kL64), d = addend64(g, a, b);
      uint8_t f = 0;
      const uint64_t ours = f64_muladd(a, b, d, np, nc, rm, f);
      const uint64_t sign64 = uint64_t{1} << 63;
      c.check64("f64_muladd", ops(a, b, d) + variant, rm, ours, f,
                riscvFma(hostFma64(np ? a ^ sign64 : a, b, nc ? d ^ sign64 : d, rm), kL64, a, b));

      const auto x = static_cast<uint32_t>(g.value(kL32)), y = static_cast<uint32_t>(g.value(kL32));
      const uint32_t z = addend32(g, x, y);
      f = 0;
      const uint32_t ours32 = f32_muladd(x, y, z, np, nc, rm, f);
      c.check32("f32_muladd", ops(x, y, z) + variant, rm, ours32, f,
                riscvFma(hostFma32(np ? x ^ 0x80000000u : x, y, nc ? z ^ 0x80000000u : z, rm), kL32, x, y));
    }
  }
}

TEST(FpHost, Compare) {
  Checker c;
  Gen g(11);
  for (int i = 0; i < 2 * kIters; ++i) {
    const uint64_t a = g.value(kL64), b = partner(g, kL64, a);
    const auto x = static_cast<uint32_t>(g.value(kL32)), y = static_cast<uint32_t>(partner(g, kL32, x));
    const struct {
      const char* name;
      bool (*ours64)(uint64_t, uint64_t, uint8_t&);
      Host<uint64_t> (*host64)(uint64_t, uint64_t, Round);
      bool (*ours32)(uint32_t, uint32_t, uint8_t&);
      Host<uint32_t> (*host32)(uint32_t, uint32_t, Round);
    } kinds[] = {{"eq", f64_eq, hostEq64, f32_eq, hostEq32},
                 {"lt", f64_lt, hostLt64, f32_lt, hostLt32},
                 {"le", f64_le, hostLe64, f32_le, hostLe32}};
    for (const auto& k : kinds) {
      uint8_t f = 0;
      const bool r64 = k.ours64(a, b, f);
      const Host<uint64_t> h = k.host64(a, b, Round::NearestEven);
      c.check(k.name, ops(a, b), Round::NearestEven, r64, f, h.value != 0, h.flags);
      f = 0;
      const bool r32 = k.ours32(x, y, f);
      const Host<uint32_t> h32 = k.host32(x, y, Round::NearestEven);
      c.check(k.name, ops(x, y), Round::NearestEven, r32, f, h32.value != 0, h32.flags);
    }
  }
}

TEST(FpHost, FormatConversions) {
  Checker c;
  Gen g(12);
  for (Round rm : kHostModes) {
    for (int i = 0; i < 2 * kIters; ++i) {
      // Narrowing sources concentrated around binary32's range limits.
      uint64_t a = g.value(kL64);
      if (g.coin()) a = kL64.make(g.coin(), 1023 + g.range(-155, 130), g.frac(kL64));
      uint8_t f = 0;
      const uint32_t narrow = f64_to_f32(a, rm, f);
      const Host<float> hn = hostF64ToF32(std::bit_cast<double>(a), rm);
      c.check32("f64_to_f32", ops(a), rm, narrow, f, {std::bit_cast<uint32_t>(hn.value), hn.flags});

      const auto s = static_cast<uint32_t>(g.value(kL32));
      f = 0;
      const uint64_t wide = f32_to_f64(s, f);
      const Host<double> hw = hostF32ToF64(std::bit_cast<float>(s), rm);
      c.check64("f32_to_f64", ops(s), rm, wide, f, {std::bit_cast<uint64_t>(hw.value), hw.flags});
    }
  }
}

// Reference float -> integer conversion of the binary64 value `a` (binary32
// sources are widened first, which is exact). The host's signed 64-bit
// conversion rounds every |x| < 2^63 exactly as RISC-V does; [2^63, 2^64) holds
// only integers, converted as x - 2^63. The RISC-V range check and saturation
// are applied here.
struct IntRef {
  uint64_t value;
  uint8_t flags;
};

IntRef intRef(uint64_t a, Round rm, bool is_signed, int bits) {
  const __int128 max = is_signed ? (__int128{1} << (bits - 1)) - 1 : (__int128{1} << bits) - 1;
  const __int128 min = is_signed ? -(__int128{1} << (bits - 1)) : 0;
  const uint64_t mask = bits == 64 ? ~uint64_t{0} : (uint64_t{1} << bits) - 1;
  const IntRef pos_sat{static_cast<uint64_t>(max) & mask, Invalid};
  const IntRef neg_sat{static_cast<uint64_t>(min) & mask, Invalid};
  if (isNaN64(a)) return pos_sat;
  const double x = std::bit_cast<double>(a);
  __int128 r;
  uint8_t flags = 0;
  if (x >= 0x1p64) return pos_sat;
  if (x <= -0x1p64) return neg_sat;
  if (x >= 0x1p63) {
    r = (__int128{1} << 63) + hostF64ToI64(x - 0x1p63, rm).value;
  } else {
    const Host<int64_t> h = hostF64ToI64(x, rm);
    if (h.flags & Invalid) return x < 0 ? neg_sat : pos_sat;  // only x <= -2^63 - 1 rounding below
    r = h.value;
    flags = h.flags;
  }
  if (r > max) return pos_sat;
  if (r < min) return neg_sat;
  return {static_cast<uint64_t>(r) & mask, flags};
}

TEST(FpHost, FloatToInt) {
  Checker c;
  Gen g(13);
  for (Round rm : kHostModes) {
    for (int i = 0; i < 2 * kIters; ++i) {
      const uint64_t a = g.value(kL64);
      const auto s = static_cast<uint32_t>(g.value(kL32));
      // The exact binary64 value of s (NaNs stay NaNs, which is all intRef needs).
      const uint64_t sw = isNaN32(s) ? kCanonicalNaN64 : std::bit_cast<uint64_t>(double{std::bit_cast<float>(s)});
      // Conversion results go through variables: `f` must be read after the call.
      auto check = [&](const char* what, uint64_t operand, uint64_t ours, uint8_t f, IntRef r) {
        c.check(what, ops(operand), rm, ours, f, r.value, r.flags);
      };
      uint8_t f = 0;
      uint64_t v = static_cast<uint32_t>(f64_to_i32(a, rm, f));
      check("f64_to_i32", a, v, f, intRef(a, rm, true, 32));
      f = 0;
      v = f64_to_u32(a, rm, f);
      check("f64_to_u32", a, v, f, intRef(a, rm, false, 32));
      f = 0;
      v = static_cast<uint64_t>(f64_to_i64(a, rm, f));
      check("f64_to_i64", a, v, f, intRef(a, rm, true, 64));
      f = 0;
      v = f64_to_u64(a, rm, f);
      check("f64_to_u64", a, v, f, intRef(a, rm, false, 64));
      f = 0;
      v = static_cast<uint32_t>(f32_to_i32(s, rm, f));
      check("f32_to_i32", s, v, f, intRef(sw, rm, true, 32));
      f = 0;
      v = f32_to_u32(s, rm, f);
      check("f32_to_u32", s, v, f, intRef(sw, rm, false, 32));
      f = 0;
      v = static_cast<uint64_t>(f32_to_i64(s, rm, f));
      check("f32_to_i64", s, v, f, intRef(sw, rm, true, 64));
      f = 0;
      v = f32_to_u64(s, rm, f);
      check("f32_to_u64", s, v, f, intRef(sw, rm, false, 64));
    }
  }
}

// Integers biased toward the rounding boundaries of binary32 and binary64.
uint64_t randomInt(Gen& g) {
  const uint64_t v = g.u64() >> g.range(0, 63);
  switch (g.u64() % 4) {
    case 0: return v;
    case 1: return v & ~((uint64_t{1} << g.range(0, 40)) - 1);                 // short significands, ties
    case 2: return (v | (uint64_t{1} << g.range(24, 63))) ^ (g.u64() & 0xff);  // near powers of two
    default: return ~uint64_t{0} - (g.u64() & 0xfff);                          // near the top
  }
}

// The host converts only signed integers. An unsigned value >= 2^63 is halved
// with the lost bit kept sticky (that cannot change a 24- or 53-bit rounding)
// and doubled back exactly.
template <class Float, class Convert>
Host<Float> hostFromU64(uint64_t v, Round rm, Convert convert) {
  if (static_cast<int64_t>(v) >= 0) return convert(static_cast<int64_t>(v), rm);
  const Host<Float> half = convert(static_cast<int64_t>((v >> 1) | (v & 1)), rm);
  return {half.value * 2, half.flags};
}

template <class Float>
Host<uint64_t> bitsOf(Host<Float> h) {
  return {std::bit_cast<std::conditional_t<sizeof(Float) == 8, uint64_t, uint32_t>>(h.value), h.flags};
}

TEST(FpHost, IntToFloat) {
  Checker c;
  Gen g(14);
  for (Round rm : kHostModes) {
    for (int i = 0; i < 2 * kIters; ++i) {
      const uint64_t v = randomInt(g);
      const auto i64 = static_cast<int64_t>(v);
      const auto i32 = static_cast<int32_t>(v >> g.range(0, 32));
      const auto u32 = static_cast<uint32_t>(v >> g.range(0, 32));
      // Results go through variables: `f` must be read after the call.
      auto check = [&](const char* what, uint64_t operand, uint64_t ours, uint8_t f, Host<uint64_t> h) {
        c.check(what, ops(operand), rm, ours, f, h.value, h.flags);
      };
      uint8_t f = 0;
      uint64_t r = i64_to_f64(i64, rm, f);
      check("i64_to_f64", v, r, f, bitsOf(hostI64ToF64(i64, rm)));
      f = 0;
      r = u64_to_f64(v, rm, f);
      check("u64_to_f64", v, r, f, bitsOf(hostFromU64<double>(v, rm, hostI64ToF64)));
      f = 0;
      r = i32_to_f64(i32, rm, f);
      check("i32_to_f64", static_cast<uint32_t>(i32), r, f, bitsOf(hostI32ToF64(i32, rm)));
      f = 0;
      r = u32_to_f64(u32, rm, f);
      check("u32_to_f64", u32, r, f, bitsOf(hostI64ToF64(u32, rm)));
      f = 0;
      r = i64_to_f32(i64, rm, f);
      check("i64_to_f32", v, r, f, bitsOf(hostI64ToF32(i64, rm)));
      f = 0;
      r = u64_to_f32(v, rm, f);
      check("u64_to_f32", v, r, f, bitsOf(hostFromU64<float>(v, rm, hostI64ToF32)));
      f = 0;
      r = i32_to_f32(i32, rm, f);
      check("i32_to_f32", static_cast<uint32_t>(i32), r, f, bitsOf(hostI32ToF32(i32, rm)));
      f = 0;
      r = u32_to_f32(u32, rm, f);
      check("u32_to_f32", u32, r, f, bitsOf(hostI64ToF32(u32, rm)));
    }
  }
}

// ---------------------------------------------------------------------------
// RMM for binary32. Every binary32 result whose exact value is a tie has at most
// 25 significant bits, so binary64 arithmetic computes it exactly (no inexact
// flag). A tie rounds away from zero, which is the directed mode away from zero;
// anything else rounds as RNE does. Flags agree too: a tie is exact at 24 bits
// with unbounded exponent, so tininess does not depend on the mode.

struct Exact {
  bool exact;
  double value;
};

bool isTie32(Exact e) {
  if (!e.exact || e.value != e.value) return false;
  const Host<float> t = hostF64ToF32(e.value, Round::TowardZero);
  if (!(t.flags & Inexact)) return false;
  const uint32_t tb = std::bit_cast<uint32_t>(t.value);
  const double away = (tb & 0x7fffffffu) == 0x7f7fffffu ? (tb >> 31 ? -0x1p128 : 0x1p128)
                                                         : double{std::bit_cast<float>(tb + 1)};
  return e.value == (double{t.value} + away) / 2;
}

template <class HostOp>
Host<uint32_t> rmmRef(Exact e, HostOp host_op) {
  if (!isTie32(e)) return host_op(Round::NearestEven);
  return host_op(e.value < 0 ? Round::Down : Round::Up);
}

Exact exactOf(Host<uint64_t> h) { return {!(h.flags & Inexact), std::bit_cast<double>(h.value)}; }
uint64_t widen(uint32_t x) { return std::bit_cast<uint64_t>(double{std::bit_cast<float>(x)}); }

TEST(FpHost, NearestMaxMag32) {
  if (!__builtin_cpu_supports("fma")) GTEST_SKIP() << "host has no FMA3";
  Checker c;
  Gen g(15);
  constexpr Round rmm = Round::NearestMaxMag;
  int ties = 0;
  auto run = [&](const char* what, const std::string& operands, uint32_t ours, uint8_t f, Exact e, auto host_op) {
    ties += isTie32(e);
    c.check32(what, operands, rmm, ours, f, rmmRef(e, host_op));
  };
  for (int i = 0; i < 4 * kIters; ++i) {
    const auto a = static_cast<uint32_t>(g.value(kL32));
    const auto b = static_cast<uint32_t>(partner(g, kL32, a));
    const auto d = addend32(g, a, b);
    // NaN operands are kept out of the exactness oracle (widening would quiet them).
    const bool nan_a = isNaN32(a), nan_ab = nan_a || isNaN32(b), nan_abd = nan_ab || isNaN32(d);
    const uint64_t wa = widen(a), wb = widen(b), wd = widen(d);
    auto exact = [&](bool nan, Host<uint64_t> h) { return nan ? Exact{false, 0} : exactOf(h); };
    uint8_t f = 0;
    uint32_t r = f32_add(a, b, rmm, f);
    run("f32_add", ops(a, b), r, f, exact(nan_ab, hostAdd64(wa, wb, Round::NearestEven)),
        [&](Round m) { return hostAdd32(a, b, m); });
    f = 0;
    r = f32_mul(a, b, rmm, f);
    run("f32_mul", ops(a, b), r, f, exact(nan_ab, hostMul64(wa, wb, Round::NearestEven)),
        [&](Round m) { return hostMul32(a, b, m); });
    f = 0;
    r = f32_div(a, b, rmm, f);
    run("f32_div", ops(a, b), r, f, exact(nan_ab, hostDiv64(wa, wb, Round::NearestEven)),
        [&](Round m) { return hostDiv32(a, b, m); });
    f = 0;
    r = f32_sqrt(a, rmm, f);
    run("f32_sqrt", ops(a), r, f, exact(nan_a, hostSqrt64(0, wa, Round::NearestEven)),
        [&](Round m) { return hostSqrt32(0, a, m); });
    f = 0;
    r = f32_muladd(a, b, d, false, false, rmm, f);
    run("f32_muladd", ops(a, b, d), r, f, exact(nan_abd, hostFma64(wa, wb, wd, Round::NearestEven)),
        [&](Round m) { return riscvFma(hostFma32(a, b, d, m), kL32, a, b); });

    const uint64_t w = g.coin() ? g.value(kL64) : kL64.make(g.coin(), 1023 + g.range(-155, 130), g.frac(kL64));
    f = 0;
    r = f64_to_f32(w, rmm, f);
    run("f64_to_f32", ops(w), r, f, {!isNaN64(w), std::bit_cast<double>(w)}, [&](Round m) {
      const Host<float> h = hostF64ToF32(std::bit_cast<double>(w), m);
      return Host<uint32_t>{std::bit_cast<uint32_t>(h.value), h.flags};
    });

    const uint64_t v = randomInt(g);
    f = 0;
    r = i64_to_f32(static_cast<int64_t>(v), rmm, f);
    const Host<double> hv = hostI64ToF64(static_cast<int64_t>(v), Round::NearestEven);
    run("i64_to_f32", ops(v), r, f, {!(hv.flags & Inexact), hv.value}, [&](Round m) {
      const Host<float> h = hostI64ToF32(static_cast<int64_t>(v), m);
      return Host<uint32_t>{std::bit_cast<uint32_t>(h.value), h.flags};
    });
  }
  EXPECT_GT(ties, 1000) << "the generator should produce plenty of exact ties";
  std::printf("[ ties     ] %d\n", ties);
}

}  // namespace
}  // namespace vessel::fp
