// Synchronous exception causes (mcause values with the interrupt bit clear).
#pragma once
#include <cstdint>

namespace vessel::riscv {

enum class Exception : uint64_t {
  InstructionMisaligned = 0,
  InstructionAccessFault = 1,
  IllegalInstruction = 2,
  Breakpoint = 3,
  LoadMisaligned = 4,
  LoadAccessFault = 5,
  StoreMisaligned = 6,
  StoreAccessFault = 7,
  EcallFromU = 8,
  EcallFromS = 9,
  EcallFromM = 11,
  InstructionPageFault = 12,
  LoadPageFault = 13,
  StorePageFault = 15,
};

enum class Priv : uint8_t { User = 0, Supervisor = 1, Machine = 3 };

// What a memory access is for; selects permission checks and fault causes.
enum class Access : uint8_t { Fetch, Load, Store };

}  // namespace vessel::riscv
