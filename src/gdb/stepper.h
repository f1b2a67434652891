// Runs harts one instruction at a time in the calling thread, through the interpreter, round
// robin, so that breakpoints stop before an instruction and watchpoints right after the write
// (what the stub uses whenever a breakpoint or watchpoint is set, and for single steps).
#pragma once
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "cpu/riscv/interpreter.h"
#include "gdb/debug_target.h"

namespace vessel::gdb {

class Stepper {
 public:
  struct Machine {
    std::function<bool(unsigned)> runnable;        // the hart may execute now (started, not halted)
    std::function<std::optional<int>()> finished;  // the machine ended, with this exit code
  };
  Stepper(std::vector<riscv::Hart*> harts, memory::AddressSpace& memory);
  StopEvent run(std::optional<unsigned> step, DebugPoints& points, RspConnection& client, const Machine& machine);

 private:
  const DebugPoints::Watch* operand_watch(riscv::Hart& h, const DebugPoints& points);
  std::vector<riscv::Hart*> harts_;
  std::vector<std::unique_ptr<riscv::Interpreter>> interpreters_;
  memory::AddressSpace& memory_;
};

// The bytes of guest-physical memory at [address, address + length), empty if not RAM.
std::string physical_bytes(memory::AddressSpace& memory, uint64_t address, uint64_t length);

}  // namespace vessel::gdb
