#include "devices/sifive_test.h"

#include <cstdio>

namespace vessel::devices {

bool SifiveTest::write(uint64_t offset, unsigned size, uint64_t value) {
  if (offset != 0 || size < 2) return true;
  switch (value & 0xffff) {
    case 0x5555: request_.store(Request::Poweroff, std::memory_order_release); break;
    case 0x3333:  // FAIL with the exit code in the upper 16 bits
      code_.store(static_cast<int>((value >> 16) & 0xffff), std::memory_order_relaxed);
      request_.store(Request::Fail, std::memory_order_release);
      break;
    case 0x7777: request_.store(Request::Reboot, std::memory_order_release); break;
    default: return true;
  }
  if (on_request) on_request(request_.load(), code_.load());
  return true;
}

void SifiveTest::add_fdt_node(FdtBuilder& fdt, const FdtContext&) const {
  char name[64];
  snprintf(name, sizeof name, "test@%lx", base_);
  fdt.begin_node(name);
  fdt.prop_u32("phandle", phandle);
  fdt.prop_strings("compatible", {"sifive,test1", "sifive,test0", "syscon"});
  fdt.prop_reg(base_, kSize);
  fdt.end_node();
  const struct { const char* node; const char* compatible; uint32_t value; } actions[] = {
      {"poweroff", "syscon-poweroff", 0x5555}, {"reboot", "syscon-reboot", 0x7777}};
  for (const auto& a : actions) {
    fdt.begin_node(a.node);
    fdt.prop_string("compatible", a.compatible);
    fdt.prop_u32("regmap", phandle);
    fdt.prop_u32("offset", 0);
    fdt.prop_u32("value", a.value);
    fdt.end_node();
  }
}

}  // namespace vessel::devices
