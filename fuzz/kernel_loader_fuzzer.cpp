// The kernel loaders on arbitrary files: a Linux Image (by its header) or an ELF64 RISC-V
// executable placed into guest RAM, as `--kernel`, `--bios` and the next stage behind
// firmware read them, and the initrd placement after it.
// Input: u8 which loader, then the file.
#include <cstdint>

#include "fuzz/support/fuzz_input.h"
#include "fuzz/support/scratch_dir.h"
#include "machine/boot_loader.h"
#include "machine/elf_loader.h"
#include "machine/memory_map.h"
#include "memory/address_space.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vessel;
  fuzz::FuzzInput in(data, size);
  const uint8_t which = in.u8() % 4;
  const std::string path = fuzz::scratch_file("kernel", in.rest());
  static memory::AddressSpace* as = [] {
    auto* a = new memory::AddressSpace();
    if (!a->ram().map(machine::map::kDramBase, 8 << 20).empty()) abort();
    return a;
  }();
  switch (which) {
    case 0: {
      auto k = machine::load_kernel(path, *as);
      if (k) (void)machine::load_initrd(path, *as, k->end, machine::device_tree_address(*as, 4096));
      break;
    }
    case 1: (void)machine::load_next_stage(path, *as); break;
    case 2: (void)machine::load_firmware(path, *as); break;
    case 3: (void)machine::load_elf(path, *as); break;
  }
  return 0;
}
