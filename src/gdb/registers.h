// The registers GDB sees (our target description, target.xml): x0..x31 and pc, the FPU (f0..f31,
// fflags, frm, fcsr), the main CSRs, and the privilege level, with the numbers the 'g', 'p'
// and 'P' packets use.
#pragma once
#include <cstdint>
#include <optional>
#include <string>

#include "cpu/riscv/hart.h"

namespace vessel::gdb {

constexpr unsigned kPcRegister = 32;
constexpr unsigned kFirstFpRegister = 33;
constexpr unsigned kGeneralRegisters = 33;  // what a 'g' packet carries: x0..x31, pc

std::string target_description_xml();
std::optional<uint64_t> read_register(riscv::Hart& hart, unsigned regno);
bool write_register(riscv::Hart& hart, unsigned regno, uint64_t value);

}  // namespace vessel::gdb
