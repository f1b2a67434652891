#include "machine/elf_loader.h"

#include <elf.h>

#include <cstring>

#include "machine/file_util.h"

namespace vessel::machine {

Result<bool> check_riscv_elf(std::string_view b, const std::string& path) {
  if (b.size() < EI_NIDENT || memcmp(b.data(), ELFMAG, SELFMAG) != 0) return Error{path + ": not an ELF file"};
  if (b[EI_CLASS] == ELFCLASS32) return Error{path + ": 32-bit ELF; Vessel runs RV64 programs only"};
  if (b[EI_CLASS] != ELFCLASS64) return Error{path + ": unknown ELF class"};
  if (b[EI_DATA] != ELFDATA2LSB) return Error{path + ": not a little-endian ELF"};
  if (b.size() < sizeof(Elf64_Ehdr)) return Error{path + ": truncated ELF header"};
  Elf64_Ehdr eh;
  memcpy(&eh, b.data(), sizeof eh);
  if (eh.e_machine != EM_RISCV) return Error{path + ": not a RISC-V ELF (e_machine " + std::to_string(eh.e_machine) + ")"};
  if (eh.e_type != ET_EXEC && eh.e_type != ET_DYN) return Error{path + ": not an executable ELF"};
  return true;
}

Result<ElfImage> load_elf(const std::string& path, memory::AddressSpace& as) {
  auto file = read_file(path);
  if (!file) return Error{file.error()};
  const std::string_view b = file.value().view();
  if (auto ok = check_riscv_elf(b, path); !ok) return Error{ok.error()};
  Elf64_Ehdr eh;
  memcpy(&eh, b.data(), sizeof eh);

  ElfImage img;
  img.entry = eh.e_entry;
  img.lowest = UINT64_MAX;
  auto in_file = [&](uint64_t off, uint64_t len) { return off <= b.size() && len <= b.size() - off; };
  if (eh.e_phentsize != sizeof(Elf64_Phdr) || !in_file(eh.e_phoff, uint64_t{eh.e_phnum} * sizeof(Elf64_Phdr)))
    return Error{path + ": malformed program headers"};
  bool loaded = false;
  bool entry_is_physical = false;
  std::optional<uint64_t> entry_from_virtual;
  for (unsigned i = 0; i < eh.e_phnum; ++i) {
    Elf64_Phdr ph;
    memcpy(&ph, b.data() + eh.e_phoff + i * sizeof ph, sizeof ph);
    if (ph.p_type != PT_LOAD || ph.p_memsz == 0) continue;
    if (ph.p_filesz > ph.p_memsz || !in_file(ph.p_offset, ph.p_filesz)) return Error{path + ": malformed segment"};
    uint8_t* dst = as.ram_ptr(ph.p_paddr, ph.p_memsz);
    if (!dst) {
      char msg[160];
      snprintf(msg, sizeof msg, ": segment at 0x%lx (size 0x%lx) is outside guest RAM [0x%lx, 0x%lx)", ph.p_paddr,
               ph.p_memsz, as.ram().base(), as.ram().base() + as.ram().size());
      return Error{path + msg};
    }
    memcpy(dst, b.data() + ph.p_offset, ph.p_filesz);
    memset(dst + ph.p_filesz, 0, ph.p_memsz - ph.p_filesz);
    // A kernel's e_entry is often virtual (vmlinux): map it through its segment.
    if (eh.e_entry >= ph.p_paddr && eh.e_entry - ph.p_paddr < ph.p_memsz) entry_is_physical = true;
    if (eh.e_entry >= ph.p_vaddr && eh.e_entry - ph.p_vaddr < ph.p_memsz)
      entry_from_virtual = ph.p_paddr + (eh.e_entry - ph.p_vaddr);
    img.lowest = std::min<uint64_t>(img.lowest, ph.p_paddr);
    img.highest = std::max<uint64_t>(img.highest, ph.p_paddr + ph.p_memsz);
    loaded = true;
  }
  if (!loaded) return Error{path + ": no loadable segments"};
  if (!entry_is_physical && entry_from_virtual) img.entry = *entry_from_virtual;

  // Symbols (tohost, begin_signature, ...) from .symtab, if present.
  if (eh.e_shentsize == sizeof(Elf64_Shdr) && in_file(eh.e_shoff, uint64_t{eh.e_shnum} * sizeof(Elf64_Shdr))) {
    for (unsigned i = 0; i < eh.e_shnum; ++i) {
      Elf64_Shdr sh;
      memcpy(&sh, b.data() + eh.e_shoff + i * sizeof sh, sizeof sh);
      if (sh.sh_type != SHT_SYMTAB || sh.sh_link >= eh.e_shnum) continue;
      Elf64_Shdr strtab;
      memcpy(&strtab, b.data() + eh.e_shoff + sh.sh_link * sizeof strtab, sizeof strtab);
      if (!in_file(sh.sh_offset, sh.sh_size) || !in_file(strtab.sh_offset, strtab.sh_size)) continue;
      for (uint64_t off = 0; off + sizeof(Elf64_Sym) <= sh.sh_size; off += sizeof(Elf64_Sym)) {
        Elf64_Sym sym;
        memcpy(&sym, b.data() + sh.sh_offset + off, sizeof sym);
        if (sym.st_name == 0 || sym.st_name >= strtab.sh_size) continue;
        const char* name = b.data() + strtab.sh_offset + sym.st_name;
        const size_t max_len = strtab.sh_size - sym.st_name;
        img.symbols.emplace(std::string(name, strnlen(name, max_len)), sym.st_value);
      }
    }
  }
  return img;
}

}  // namespace vessel::machine
