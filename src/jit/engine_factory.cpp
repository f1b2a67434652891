#include "jit/engine_factory.h"

#include "common/log.h"
#include "cpu/riscv/interpreter.h"
#include "jit/jit_engine.h"

namespace vessel::jit {

std::unique_ptr<riscv::ExecutionEngine> create_engine(riscv::Hart& hart, riscv::EngineKind kind, bool trace,
                                                      bool exact_budget) {
  if (kind == riscv::EngineKind::Jit && !trace) {
    auto jit = std::make_unique<JitEngine>(hart);
    jit->exact_budget = exact_budget;
    // A VM's JIT translates only code that ran a few times; exact runs (bare metal, tests)
    // translate everything at once, so the JIT itself is what they exercise.
    jit->hot_threshold = exact_budget ? 0 : 64;
    if (jit->ok()) return jit;
    LOG_WARN("cannot map executable memory for the JIT; interpreting hart %lu", hart.hartid);
  }
  auto interp = std::make_unique<riscv::Interpreter>(hart);
  interp->trace = trace;
  interp->exact_budget = exact_budget;
  return interp;
}

}  // namespace vessel::jit
