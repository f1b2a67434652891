// `vessel run --elf`: one hart in M-mode running a bare-metal RISC-V program that reports
// through HTIF (tohost/fromhost), as the official test suites do.
#pragma once
#include <cstdint>
#include <string>

#include "cpu/riscv/engine.h"
#include "cpu/riscv/isa_profile.h"

namespace vessel::machine {

struct BareMetalOptions {
  std::string elf_path;
  uint64_t memory_bytes = 256ull << 20;
  uint64_t max_instructions = 0;  // 0 = unlimited
  bool trace = false;
  riscv::EngineKind engine = riscv::EngineKind::Jit;
  riscv::CpuProfile cpu = riscv::kDefaultCpu;
  std::string signature_path;
  unsigned signature_granularity = 4;  // bytes per line of the signature file
  std::string gdb;  // tcp:HOST:PORT or unix:PATH: wait for gdb there before the first instruction
};

enum class BareMetalExit { Pass, Fail, Timeout, BadInput };

struct BareMetalOutcome {
  BareMetalExit exit;
  int code = 0;             // the program's exit code (Fail) 
  std::string message;      // for BadInput / Fail
};

BareMetalOutcome run_bare_metal(const BareMetalOptions& options);

}  // namespace vessel::machine
