// Runs one random program on a fresh machine with a chosen engine, for comparison with the
// reference: the interpreter stepping one instruction at a time.
#pragma once
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/timebase.h"
#include "cpu/riscv/engine.h"
#include "cpu/riscv/hart.h"
#include "memory/address_space.h"
#include "random_program.h"

namespace vessel::jit::test {

enum class Engine {
  Reference,  // the interpreter, one instruction per step()
  Blocks,     // the interpreter's decoded blocks (its default)
  Jit,
};

class TestMachine {
 public:
  TestMachine(const RandomProgram& program, Engine engine);
  // Runs until the program ends (its final WFI; traps skip the instruction) or `limit` instructions.
  void run(uint64_t limit);
  riscv::Hart& hart() { return *hart_; }
  const uint8_t* ram() const { return as_.ram().host(); }
  // The program and the trap handler are still what was loaded, and so is every other byte
  // that ran as an instruction (a program may jump into its data and rewrite it).
  bool code_unchanged() const;

 private:
  memory::AddressSpace as_;
  Timebase timebase_;
  std::unique_ptr<riscv::Hart> hart_;
  std::unique_ptr<riscv::ExecutionEngine> engine_;
  std::vector<std::pair<uint64_t, uint8_t>> code_at_;  // physical address and byte of the program
  bool record_ = false;                 // reference: step one instruction at a time, noting pcs
  std::vector<uint64_t> executed_;      // virtual pcs run
  std::vector<uint8_t>* initial_ = nullptr;  // RAM as loaded (a buffer reused across machines)
  bool paging_ = false;
};

// Empty when `engine` leaves the same architectural state and memory as the reference,
// kSelfModifying when the program rewrote its own code without FENCE.I; else a report of
// the differences.
inline const std::string kSelfModifying = "self-modifying";
std::string compare_engines(const RandomProgram& program, uint64_t limit, Engine engine = Engine::Jit);

}  // namespace vessel::jit::test
