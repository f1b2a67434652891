// Picks the execution engine for a hart: the JIT unless asked otherwise (or tracing,
// which only the interpreter does, or when executable memory is unavailable).
#pragma once
#include <memory>

#include "cpu/riscv/engine.h"
#include "cpu/riscv/hart.h"

namespace vessel::jit {

// `exact_budget`: run_batch(n) retires exactly n instructions (bare metal's instruction
// limit, the differential test); a VM only needs batches of about n.
std::unique_ptr<riscv::ExecutionEngine> create_engine(riscv::Hart& hart, riscv::EngineKind kind, bool trace,
                                                      bool exact_budget = true);

}  // namespace vessel::jit
