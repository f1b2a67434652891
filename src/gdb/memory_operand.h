// The data address an instruction is about to load or store (RV64GC, compressed forms
// included, and Zcb's, Zfhmin's and cbo.zero's when the hart has them), for read and
// access watchpoints: the stepper checks it before executing.
#pragma once
#include <cstdint>
#include <optional>

#include "cpu/riscv/hart.h"

namespace vessel::gdb {

struct MemoryOperand {
  uint64_t address = 0;  // virtual
  unsigned size = 0;
  bool reads = false, writes = false;
};

// What the instruction `insn` (16 or 32 bits as fetched) at the hart's pc accesses, if memory.
std::optional<MemoryOperand> memory_operand(const riscv::Hart& hart, uint32_t insn);

}  // namespace vessel::gdb
