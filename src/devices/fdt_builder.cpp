#include "devices/fdt_builder.h"

extern "C" {
#include <libfdt.h>
}

namespace vessel::devices {

// 64 KiB: a 32-hart board with every device needs about 12 KiB.
FdtBuilder::FdtBuilder() : buf_(64 << 10) {
  check(fdt_create(buf_.data(), static_cast<int>(buf_.size())));
  check(fdt_finish_reservemap(buf_.data()));
}

void FdtBuilder::check(int err) {
  if (err < 0 && error_ == 0) error_ = err;
}

void FdtBuilder::begin_node(const std::string& name) { check(fdt_begin_node(buf_.data(), name.c_str())); }
void FdtBuilder::end_node() { check(fdt_end_node(buf_.data())); }
void FdtBuilder::prop_u32(const char* name, uint32_t v) { check(fdt_property_u32(buf_.data(), name, v)); }
void FdtBuilder::prop_u64(const char* name, uint64_t v) { check(fdt_property_u64(buf_.data(), name, v)); }
void FdtBuilder::prop_cells(const char* name, std::initializer_list<uint32_t> cells) {
  prop_cells(name, std::vector<uint32_t>(cells));
}
void FdtBuilder::prop_cells(const char* name, const std::vector<uint32_t>& cells) {
  std::vector<fdt32_t> be;
  for (uint32_t c : cells) be.push_back(cpu_to_fdt32(c));
  check(fdt_property(buf_.data(), name, be.data(), static_cast<int>(be.size() * sizeof(fdt32_t))));
}
void FdtBuilder::prop_string(const char* name, const std::string& v) {
  check(fdt_property_string(buf_.data(), name, v.c_str()));
}
void FdtBuilder::prop_strings(const char* name, std::initializer_list<const char*> list) {
  std::string joined;
  for (const char* s : list) {
    joined += s;
    joined += '\0';
  }
  check(fdt_property(buf_.data(), name, joined.data(), static_cast<int>(joined.size())));
}
void FdtBuilder::prop_strings(const char* name, const std::vector<std::string>& list) {
  std::string joined;
  for (const std::string& s : list) {
    joined += s;
    joined += '\0';
  }
  check(fdt_property(buf_.data(), name, joined.data(), static_cast<int>(joined.size())));
}
void FdtBuilder::prop_empty(const char* name) { check(fdt_property(buf_.data(), name, nullptr, 0)); }
void FdtBuilder::prop_reg(uint64_t base, uint64_t size) {
  prop_cells("reg", {static_cast<uint32_t>(base >> 32), static_cast<uint32_t>(base), static_cast<uint32_t>(size >> 32),
                     static_cast<uint32_t>(size)});
}

std::vector<uint8_t> FdtBuilder::finish() {
  check(fdt_finish(buf_.data()));
  if (error_) return {};
  std::vector<uint8_t> out(buf_.begin(), buf_.begin() + fdt_totalsize(buf_.data()));
  return out;
}

}  // namespace vessel::devices
