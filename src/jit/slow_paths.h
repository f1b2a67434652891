// Out-of-line helpers translated code calls on a soft-TLB miss, a page-crossing access or
// MMIO. They take the full interpreter paths, so faults are raised exactly as there.
#pragma once
#include <cstdint>

#include "cpu/riscv/hart.h"

namespace vessel::jit {

// Returns the loaded value, extended to 64 bits as the instruction requires (0 on a trap).
template <typename T>
uint64_t slow_load(riscv::Hart* h, uint64_t vaddr);
template <typename T>
void slow_store(riscv::Hart* h, uint64_t vaddr, uint64_t value);
// Runs one instruction's interpreter handler and re-zeroes x0.
void call_handler(riscv::Hart* h, uint64_t handler, uint32_t insn);
// The same for a CSR instruction: the guest flags the host FPU holds are folded into fflags
// first, so that the instruction reads (or overwrites) all of them.
void call_csr_handler(riscv::Hart* h, uint64_t handler, uint32_t insn);

}  // namespace vessel::jit
