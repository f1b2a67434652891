// The JIT and the interpreter's decoded blocks against the interpreter stepping one
// instruction at a time, on random programs (all extensions, page-crossing and faulting
// loads and stores, traps, rounding modes, M-mode and Sv39 S-mode): they must leave
// identical architectural state and memory. VESSEL_DIFF_PROGRAMS and VESSEL_DIFF_SEED make
// longer or different runs (the jit-differential-long target).
#include <gtest/gtest.h>

#include <cstdlib>
#include <sstream>

#include "engine_pair.h"
#include "random_fp_program.h"

namespace vessel::jit::test {
namespace {

uint64_t env_or(const char* name, uint64_t fallback) {
  const char* v = getenv(name);
  return v ? strtoull(v, nullptr, 0) : fallback;
}

std::string dump(const RandomProgram& p) {
  std::ostringstream out;
  out << std::hex << "entry 0x" << p.entry << (p.mode == RandomProgram::Mode::Machine ? " (M-mode)" : p.mode == RandomProgram::Mode::User ? " (U-mode, Sv39)" : " (S-mode, Sv39)") << ", code:";
  for (size_t i = 0; i < p.code.size(); ++i) out << (i % 32 ? " " : "\n    ") << unsigned(p.code[i]);
  return out.str();
}

// The smallest instruction count after which the engines differ, for a failure report.
uint64_t first_difference(const RandomProgram& p, uint64_t limit, Engine engine) {
  uint64_t lo = 0, hi = limit;  // lo agrees, hi differs
  while (hi - lo > 1) {
    const uint64_t mid = lo + (hi - lo) / 2;
    (compare_engines(p, mid, engine).empty() ? lo : hi) = mid;
  }
  return hi;
}

using Generator = RandomProgram (*)(std::mt19937_64&, unsigned);

void check_random_programs(Engine engine, Generator generate = make_random_program) {
  const uint64_t seed = env_or("VESSEL_DIFF_SEED", 20261122);
  const uint64_t programs = env_or("VESSEL_DIFF_PROGRAMS", 1500);
  // VESSEL_DIFF_ONLY=N compares program N alone (to reproduce a failure).
  const uint64_t only = env_or("VESSEL_DIFF_ONLY", ~0ull);
  std::mt19937_64 rng(seed);
  unsigned failures = 0;
  uint64_t self_modifying = 0;
  for (uint64_t i = 0; i < programs && failures < 5; ++i) {
    const RandomProgram p = generate(rng, 16 + rng() % 200);
    if (only != ~0ull && i != only) continue;
    const std::string diff = compare_engines(p, 5000, engine);
    if (diff == kSelfModifying) {
      ++self_modifying;
    } else if (!diff.empty()) {
      ++failures;
      const uint64_t first = first_difference(p, 5000, engine);
      ADD_FAILURE() << "seed " << seed << ", program " << i << " differs:\n" << diff << "first after " << first
                    << " instructions:\n" << compare_engines(p, first, engine) << dump(p);
    }
  }
  // Almost every program must count: the comparison must not become vacuous.
  EXPECT_LT(self_modifying, programs / 10) << self_modifying << " of " << programs << " programs rewrote their code";
}

TEST(JitDifferential, RandomProgramsLeaveIdenticalState) { check_random_programs(Engine::Jit); }
TEST(BlockInterpreterDifferential, RandomProgramsLeaveIdenticalState) { check_random_programs(Engine::Blocks); }
// The JIT runs F and D on the host's SSE unit: the soft-float stays the reference.
TEST(JitDifferential, RandomFloatingPointProgramsLeaveIdenticalState) {
  check_random_programs(Engine::Jit, make_random_fp_program);
}
TEST(BlockInterpreterDifferential, RandomFloatingPointProgramsLeaveIdenticalState) {
  check_random_programs(Engine::Blocks, make_random_fp_program);
}

// Many instructions in one go: a long straight run of valid arithmetic, so that most of a
// program executes rather than ending at its first trap.
TEST(JitDifferential, LongArithmeticRunsAgree) {
  std::mt19937_64 rng(7);
  for (int i = 0; i < 200; ++i) {
    RandomProgram p = make_random_program(rng, 0);
    for (int k = 0; k < 400; ++k) {
      // addi/add/sub/xor/sll/mul/divu/addw... with random registers: never traps.
      static const uint32_t kOps[] = {0x00000013, 0x00000033, 0x40000033, 0x00004033, 0x00001033,
                                      0x02000033, 0x02005033, 0x0000003b, 0x02006033, 0x4000503b};
      uint32_t w = kOps[rng() % 10] | ((rng() % 32) << 7) | ((rng() % 32) << 15) | ((rng() % 32) << 20);
      if ((w & 0x7f) == 0x13) w |= static_cast<uint32_t>(rng()) & 0xfff00000u;
      for (int b = 0; b < 4; ++b) p.code.push_back(static_cast<uint8_t>(w >> (8 * b)));
    }
    for (Engine engine : {Engine::Jit, Engine::Blocks}) {
      const std::string diff = compare_engines(p, 100000, engine);
      ASSERT_TRUE(diff.empty()) << "program " << i << ":\n" << diff << dump(p);
    }
  }
}

}  // namespace
}  // namespace vessel::jit::test

namespace vessel::jit::test {
namespace {

// A straight run across a page boundary whose next virtual page is mapped to a physical
// page that is not the adjacent one: a block must stop at the boundary.
// A loop whose f registers stay in xmm registers across the back edge: the single that
// fcvt.s.d writes (while xmm0 holds a double in its upper half) is compared as a double at
// the top of the next iteration: a NaN-boxed value, so a NaN (flt.d returns 0 and raises
// NV), which the xmm copy must hold in full.
TEST(JitDifferential, FloatingPointLoopKeepsItsRegistersExact) {
  RandomProgram p;
  p.entry = kCodePage;
  const uint32_t code[] = {
      (50u << 20) | (5u << 7) | 0x13,                                           // addi x5, x0, 50
      (0x51u << 25) | (1u << 20) | (4u << 15) | (1u << 12) | (6u << 7) | 0x53,  // flt.d x6, f4, f1
      (0x01u << 25) | (4u << 20) | (4u << 15) | (7u << 12) | (7u << 7) | 0x53,  // fadd.d f7, f4, f4
      (0x20u << 25) | (1u << 20) | (3u << 15) | (7u << 12) | (1u << 7) | 0x53,  // fcvt.s.d f1, f3
      (2u << 20) | (1u << 15) | (7u << 12) | (2u << 7) | 0x53,                  // fadd.s f2, f1, f2
      (0xfffu << 20) | (5u << 15) | (5u << 7) | 0x13,                           // addi x5, x5, -1
      (1u << 31) | (0x3fu << 25) | (5u << 15) | (1u << 12) | (6u << 8) | (1u << 7) | 0x63,  // bnez x5, -20
  };
  for (const uint32_t w : code)
    for (int b = 0; b < 4; ++b) p.code.push_back(static_cast<uint8_t>(w >> (8 * b)));
  p.f[1] = 0xffffffff3fc00000ull;  // 1.5f
  p.f[2] = 0xffffffff3f800000ull;  // 1.0f
  p.f[3] = 0x4000000000000000ull;  // 2.0
  p.f[4] = 0x3fd0000000000000ull;  // 0.25
  p.data.resize(kDataPages * 4096);
  EXPECT_EQ(compare_engines(p, 5000, Engine::Jit), "");
}

// A load translated through its site's slot, then its page remapped and SFENCE.VMA: the
// same load must see the new page. M-mode writes the page table and loads through it with
// MPRV as U-mode (only user code uses slots); the inner loop runs the load twice, so that
// its second run fills the site's slot from the TLB.
TEST(JitDifferential, LoadSitesForgetTranslationsOnTlbFlush) {
  RandomProgram p;
  p.entry = kCodePage;
  p.page_table = true;
  const uint64_t va = kDataBase + 2 * 4096, new_page = kDataBase + 3 * 4096;
  p.x[5] = (8ull << 60) | (kPageTable >> 12);                   // Sv39 root
  p.x[6] = 1ull << 17;                                          // MPRV (MPP = U)
  p.x[7] = va;
  p.x[8] = kPageTable + 0x2000 + 8 * ((va - kRamBase) >> 12);  // va's leaf PTE
  p.x[9] = ((new_page >> 12) << 10) | 0xd7;                     // V R W U A D
  const uint32_t code[] = {
      (0x180u << 20) | (5u << 15) | (1u << 12) | 0x73,               // csrw satp, x5
      (2u << 20) | (10u << 7) | 0x13,                                 // li x10, 2
      (0x300u << 20) | (6u << 15) | (2u << 12) | 0x73,               // loop: csrs mstatus, x6
      (2u << 20) | (13u << 7) | 0x13,                                 // li x13, 2
      (7u << 15) | (3u << 12) | (11u << 7) | 0x03,                    // inner: ld x11, 0(x7)
      (11u << 20) | (12u << 15) | (12u << 7) | 0x33,                  // add x12, x12, x11
      (0xfffu << 20) | (13u << 15) | (13u << 7) | 0x13,               // addi x13, x13, -1
      (1u << 31) | (0x3fu << 25) | (13u << 15) | (1u << 12) | (0xau << 8) | (1u << 7) | 0x63,  // bnez x13, inner
      (0x300u << 20) | (6u << 15) | (3u << 12) | 0x73,               // csrc mstatus, x6
      (9u << 20) | (8u << 15) | (3u << 12) | 0x23,                    // sd x9, 0(x8)
      0x12000073,                                                     // sfence.vma
      (0xfffu << 20) | (10u << 15) | (10u << 7) | 0x13,               // addi x10, x10, -1
      (1u << 31) | (0x3eu << 25) | (10u << 15) | (1u << 12) | (0xcu << 8) | (1u << 7) | 0x63,  // bnez x10, loop
  };
  for (const uint32_t w : code)
    for (int b = 0; b < 4; ++b) p.code.push_back(static_cast<uint8_t>(w >> (8 * b)));
  p.data.resize(kDataPages * 4096);
  for (size_t i = 0; i < p.data.size(); ++i) p.data[i] = static_cast<uint8_t>(i * 7 + (i >> 12));
  EXPECT_EQ(compare_engines(p, 5000, Engine::Jit), "");
}

TEST(JitDifferential, BlocksStopAtPageBoundary) {
  std::mt19937_64 rng(3);
  for (auto mode : {RandomProgram::Mode::Supervisor, RandomProgram::Mode::User}) {
    RandomProgram p = make_random_program(rng, 0);
    p.mode = mode;
    p.entry = kCodePage + 0x1000 - 16;
    for (int k = 0; k < 16; ++k)  // addi t0, t0, 1
      for (uint8_t b : {0x93, 0x82, 0x12, 0x00}) p.code.push_back(b);
    for (Engine engine : {Engine::Jit, Engine::Blocks}) {
      TestMachine m(p, engine);
      m.run(1000);
      EXPECT_EQ(m.hart().x[5], p.x[5] + 16);
      EXPECT_EQ(m.hart().x[6], p.x[6]);
      EXPECT_TRUE(compare_engines(p, 1000, engine).empty());
    }
  }
}

}  // namespace
}  // namespace vessel::jit::test
