// The decoder, the block interpreter and the JIT on arbitrary instruction streams, each
// checked against the reference (the interpreter stepping one instruction at a time) with the
// differential oracle of tests/jit: same registers, CSRs, privilege, pc and memory afterwards.
// The machine is tests/jit's: 4 MiB of RAM, an M-mode trap handler that skips the trapping
// instruction, data pages near the code, Sv39 for S- and U-mode programs.
// Input: u64 seed for the start state (mode, entry, registers, data; make_random_program with
// no instructions), u8 engine (bit 0: blocks instead of the JIT), then the code bytes.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>

#include "engine_pair.h"
#include "fuzz/support/fuzz_input.h"
#include "random_program.h"

namespace vessel::fuzz {
namespace {

constexpr size_t kMaxCode = 2048;
constexpr uint64_t kInstructionLimit = 3000;

// The same exclusions as the random programs: the time CSR follows the host clock (read cycle
// instead) and writing minstret moves the budget the engines are stopped by.
uint32_t deterministic(uint32_t w) {
  const bool csr = (w & 0x7f) == 0x73 && ((w >> 12) & 3);
  if (csr && (w >> 20) == 0xc01) return (w & 0xfffff) | (0xc00u << 20);
  if (csr && (w >> 20) == 0xb02) return (w & 0xfffff) | (0xc02u << 20);
  return w;
}

std::vector<uint8_t> code_from(std::vector<uint8_t> bytes) {
  for (size_t i = 0; i + 1 < bytes.size();) {
    if ((bytes[i] & 3) != 3) {
      i += 2;
      continue;
    }
    if (i + 4 > bytes.size()) break;
    uint32_t w = 0;
    for (int b = 0; b < 4; ++b) w |= uint32_t{bytes[i + b]} << (8 * b);
    w = deterministic(w);
    for (int b = 0; b < 4; ++b) bytes[i + b] = static_cast<uint8_t>(w >> (8 * b));
    i += 4;
  }
  return bytes;
}

}  // namespace
}  // namespace vessel::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vessel;
  using namespace vessel::jit::test;
  fuzz::FuzzInput in(data, size);
  std::mt19937_64 rng(in.u64());
  const bool blocks = in.u8() & 1;
  RandomProgram program = make_random_program(rng, 0);
  program.code = fuzz::code_from(in.bytes(fuzz::kMaxCode));
  const std::string diff = compare_engines(program, fuzz::kInstructionLimit, blocks ? Engine::Blocks : Engine::Jit);
  if (!diff.empty() && diff != kSelfModifying) {
    fprintf(stderr, "%s differs from the reference:\n%s", blocks ? "blocks" : "jit", diff.c_str());
    abort();
  }
  return 0;
}
