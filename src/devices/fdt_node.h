// Devices describe themselves in the device tree through this small interface.
#pragma once
#include <cstdint>

#include "devices/fdt_builder.h"

namespace vessel::devices {

struct FdtContext {
  uint32_t plic_phandle = 0;
  const uint32_t* cpu_intc_phandles = nullptr;  // one per hart
  unsigned num_harts = 0;
};

class FdtNode {
 public:
  virtual ~FdtNode() = default;
  virtual void add_fdt_node(FdtBuilder& fdt, const FdtContext& ctx) const = 0;
};

}  // namespace vessel::devices
