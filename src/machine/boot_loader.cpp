#include "machine/boot_loader.h"

#include <cstring>
#include <optional>

#include "machine/elf_loader.h"
#include "machine/file_util.h"

namespace vessel::machine {
namespace {

constexpr uint64_t kImageMagic = 0x5643534952ull;  // "RISCV\0\0\0"
constexpr uint32_t kImageMagic2 = 0x05435352u;     // "RSC\x05"
constexpr uint64_t kMiB = 1ull << 20;

uint64_t align_up(uint64_t v, uint64_t a) { return (v + a - 1) & ~(a - 1); }

std::string hex(uint64_t v) {
  char b[32];
  snprintf(b, sizeof b, "0x%lx", v);
  return b;
}

Result<LoadedKernel> load_flat(const FileBytes& data, const std::string& path, memory::AddressSpace& as,
                               uint64_t addr, uint64_t reserve) {
  const uint64_t span = std::max<uint64_t>(data.size(), reserve);
  uint8_t* dst = as.ram_ptr(addr, span);
  if (!dst)
    return Error{path + ": does not fit in guest RAM (" + std::to_string(span / kMiB + 1) + " MiB needed at " +
                 hex(addr) + "); increase --memory"};
  memcpy(dst, data.data(), data.size());
  return LoadedKernel{addr, addr, addr + span};
}

Result<LoadedKernel> load_elf_kernel(const std::string& path, memory::AddressSpace& as) {
  auto img = load_elf(path, as);
  if (!img) return Error{img.error()};
  return LoadedKernel{img->entry, img->lowest, img->highest};
}

}  // namespace

namespace {

bool is_elf(const FileBytes& d) { return d.size() >= 4 && memcmp(d.data(), "\177ELF", 4) == 0; }

// A Linux Image by its header, placed at DRAM + text_offset; nullopt when `d` has no Image header.
std::optional<Result<LoadedKernel>> load_image(const FileBytes& d, const std::string& path,
                                               memory::AddressSpace& as) {
  if (d.size() < 64) return std::nullopt;
  uint64_t magic, text_offset, image_size;
  uint32_t magic2;
  memcpy(&text_offset, d.data() + 8, 8);
  memcpy(&image_size, d.data() + 16, 8);
  memcpy(&magic, d.data() + 48, 8);
  memcpy(&magic2, d.data() + 56, 4);
  if (magic != kImageMagic || magic2 != kImageMagic2) return std::nullopt;
  if (text_offset == 0) text_offset = kKernelOffset;
  return load_flat(d, path, as, as.ram().base() + text_offset, image_size);
}

}  // namespace

Result<LoadedKernel> load_kernel(const std::string& path, memory::AddressSpace& as) {
  auto file = read_file(path);
  if (!file) return Error{file.error()};
  const FileBytes& d = file.value();
  if (is_elf(d)) return load_elf_kernel(path, as);
  if (d.size() < 64) return Error{path + ": too small to be a kernel"};
  if (auto image = load_image(d, path, as)) return std::move(*image);
  return Error{path + ": not a RISC-V Linux Image (no 'RISCV' header magic) nor an ELF file"};
}

Result<LoadedKernel> load_next_stage(const std::string& path, memory::AddressSpace& as) {
  auto file = read_file(path);
  if (!file) return Error{file.error()};
  const FileBytes& d = file.value();
  if (is_elf(d)) return load_elf_kernel(path, as);
  if (auto image = load_image(d, path, as)) return std::move(*image);
  if (d.empty()) return Error{path + ": empty file"};
  return load_flat(d, path, as, as.ram().base() + kKernelOffset, 0);
}

Result<LoadedKernel> load_firmware(const std::string& path, memory::AddressSpace& as) {
  auto file = read_file(path);
  if (!file) return Error{file.error()};
  const FileBytes& d = file.value();
  if (is_elf(d)) return load_elf_kernel(path, as);
  if (d.empty()) return Error{path + ": empty firmware file"};
  if (d.size() > kKernelOffset) return Error{path + ": firmware larger than 2 MiB would overlap the kernel"};
  return load_flat(d, path, as, as.ram().base(), 0);
}

Result<std::pair<uint64_t, uint64_t>> load_initrd(const std::string& path, memory::AddressSpace& as,
                                                  uint64_t not_below, uint64_t not_above) {
  auto file = read_file(path);
  if (!file) return Error{file.error()};
  const FileBytes& d = file.value();
  const uint64_t start = align_up(not_below, 2 * kMiB);
  if (start + d.size() > not_above)
    return Error{"guest memory too small for kernel + initrd (" + path + " needs " +
                 std::to_string(d.size() / kMiB + 1) + " MiB more); increase --memory"};
  memcpy(as.ram_ptr(start, d.size()), d.data(), d.size());
  return std::make_pair(start, start + d.size());
}

uint64_t device_tree_address(const memory::AddressSpace& as, uint64_t size) {
  const uint64_t end = as.ram().base() + as.ram().size();
  return (end - size) & ~(2 * kMiB - 1);
}

}  // namespace vessel::machine
