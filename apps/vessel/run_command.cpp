// `vessel run`: boots a virtual machine. With --elf, a bare-metal program on one hart
// reporting through HTIF (the convention of the RISC-V test suites).
#include <CLI/CLI.hpp>
#include <cstdio>

#include "commands.h"
#include "common/size.h"
#include "machine/bare_metal.h"

namespace vessel::cli {

int run_command(int argc, char** argv) {
  CLI::App app{"Run a virtual machine", "vessel run"};
  machine::BareMetalOptions bare;
  std::string memory = "256M";
  app.add_option("--elf", bare.elf_path, "bare-metal RISC-V ELF to run in M-mode (HTIF tohost/fromhost)");
  app.add_option("--memory,-m", memory, "guest RAM size (e.g. 256M, 2G; a bare number means MiB)");
  app.add_option("--max-instructions", bare.max_instructions, "stop with exit status 3 after N instructions");
  app.add_flag("--trace", bare.trace, "print every executed instruction to stderr");
  app.add_option("--signature", bare.signature_path,
                 "write memory between begin_signature and end_signature to FILE as hex words");
  app.add_option("--signature-granularity", bare.signature_granularity, "bytes per signature line (default 4)")
      ->check(CLI::IsMember({1u, 2u, 4u, 8u, 16u}));
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e) == 0 ? kExitOk : kExitUsage;
  } catch (const CLI::ParseError& e) {
    fprintf(stderr, "vessel run: %s\n", e.what());
    return kExitUsage;
  }

  const auto mem = parse_size(memory);
  if (!mem || *mem < (1ull << 20) || *mem > (1ull << 40) || (*mem & 0xfff)) {
    fprintf(stderr, "vessel run: invalid --memory '%s' (expected 1M to 1T, e.g. 256M or 2G)\n", memory.c_str());
    return kExitUsage;
  }
  bare.memory_bytes = *mem;
  if (bare.elf_path.empty()) {
    fprintf(stderr, "vessel run: nothing to run: give --elf FILE\n");
    return kExitUsage;
  }

  const machine::BareMetalOutcome out = machine::run_bare_metal(bare);
  switch (out.exit) {
    case machine::BareMetalExit::Pass: return kExitOk;
    case machine::BareMetalExit::Fail:
      fprintf(stderr, "*** FAILED *** (tohost = %d): test %d failed\n", out.code, out.code);
      return kExitFailure;
    case machine::BareMetalExit::Timeout:
      fprintf(stderr, "vessel run: %s\n", out.message.c_str());
      return kExitTimeout;
    case machine::BareMetalExit::BadInput:
      fprintf(stderr, "vessel run: %s\n", out.message.c_str());
      return kExitUsage;
  }
  return kExitFailure;
}

}  // namespace vessel::cli
