// Runs one random program on a fresh machine with a chosen engine, for comparison.
#pragma once
#include <memory>
#include <string>

#include "common/timebase.h"
#include "cpu/riscv/engine.h"
#include "cpu/riscv/hart.h"
#include "memory/address_space.h"
#include "random_program.h"

namespace vessel::jit::test {

class TestMachine {
 public:
  TestMachine(const RandomProgram& program, riscv::EngineKind engine);
  // Runs until the program ends (its final WFI; traps skip the instruction) or `limit` instructions.
  void run(uint64_t limit);
  riscv::Hart& hart() { return *hart_; }
  const uint8_t* ram() const { return as_.ram().host(); }

 private:
  memory::AddressSpace as_;
  Timebase timebase_;
  std::unique_ptr<riscv::Hart> hart_;
  std::unique_ptr<riscv::ExecutionEngine> engine_;
};

// Empty when both engines leave the same architectural state and memory; else a report.
std::string compare_engines(const RandomProgram& program, uint64_t limit);

}  // namespace vessel::jit::test
