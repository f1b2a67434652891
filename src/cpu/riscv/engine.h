// How a hart's instructions get executed: the interpreter (the reference) or the JIT.
// The run loops (VMM, bare metal) only see this interface.
#pragma once
#include <cstdint>

namespace vessel::riscv {

class ExecutionEngine {
 public:
  virtual ~ExecutionEngine() = default;
  // Runs until a batch boundary: at most about `budget` instructions, fewer if the hart
  // asked for an early return (end_batch: interrupt state changed, WFI, a trap, ...).
  virtual uint64_t run_batch(uint64_t budget) = 0;
  // The hart has been idle for a while: give back memory that can be rebuilt on demand.
  virtual void release_memory() {}
};

enum class EngineKind { Jit, Interpreter };

}  // namespace vessel::riscv
