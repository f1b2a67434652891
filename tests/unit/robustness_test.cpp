// Random instruction words in M, S and U mode, with random register contents: every one
// either executes or traps to the right vector, and the host never crashes.
#include <gtest/gtest.h>

#include <random>

#include "common/timebase.h"
#include "cpu/riscv/hart.h"
#include "cpu/riscv/interpreter.h"

namespace vessel::riscv {
namespace {

constexpr uint64_t kRam = 0x80000000, kCode = kRam + 0x10000, kMtvec = kRam + 0x100, kStvec = kRam + 0x200;

void run_random(unsigned seed, bool compressed) {
  memory::AddressSpace as;
  ASSERT_TRUE(as.ram().map(kRam, 16 << 20).empty());
  Timebase tb;
  std::mt19937_64 rng(seed);
  // A Sv39 table mapping the first GiB of RAM (1 GiB leaf) for S and U, user-accessible.
  const uint64_t root = kRam + 0x8000;
  ASSERT_TRUE(as.write(root + 2 * 8, 8, ((kRam >> 12) << 10) | 0xdf));  // V R W X U A D
  const Priv modes[] = {Priv::Machine, Priv::Supervisor, Priv::User};
  for (int i = 0; i < 100000; ++i) {
    Hart h(as, tb, 0);
    Interpreter interp(h);
    for (auto& r : h.x) r = rng() % 3 == 0 ? kRam + (rng() & 0xffffff) : rng();
    for (auto& r : h.f) r = rng();
    h.x[0] = 0;
    h.priv = modes[rng() % 3];
    h.csr.mtvec = kMtvec;
    h.csr.stvec = kStvec;
    h.csr.medeleg = rng() & 0xb3ff;
    h.csr.mstatus |= (rng() & 3) << mstatus::kFSShift;
    if (h.priv != Priv::Machine && (rng() & 1)) h.csr.satp = (8ull << 60) | (root >> 12);
    h.update_tlb_context();
    h.pc = kCode;
    // 16-bit words have low bits != 11; 32-bit words are forced to end in 11.
    uint32_t word = static_cast<uint32_t>(rng());
    if (compressed) {
      word &= 0xffff;
      if ((word & 3) == 3) word &= ~1u;
    } else {
      word |= 3;
    }
    ASSERT_TRUE(as.write(kCode, 4, word));
    const Priv before = h.priv;
    interp.step();
    if (h.trapped) {
      EXPECT_TRUE(h.pc == kMtvec || h.pc == kStvec) << std::hex << "word " << word << " pc " << h.pc;
      if (h.pc == kStvec) {
        EXPECT_NE(before, Priv::Machine);
      }
    }
    EXPECT_EQ(h.x[0], 0u);
  }
}

TEST(Robustness, Random32BitInstructions) { run_random(1, false); }
TEST(Robustness, Random16BitInstructions) { run_random(2, true); }

}  // namespace
}  // namespace vessel::riscv
