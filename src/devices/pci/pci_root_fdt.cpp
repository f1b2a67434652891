// The root complex's device-tree node, as QEMU virt writes it (pci@30000000 under /soc): the
// generic ECAM binding, its bus range, the three windows in `ranges` (identity-mapped) and
// the INTx swizzle in `interrupt-map`.
#include <cstdio>

#include "devices/pci/pci_root.h"

namespace vessel::devices::pci {
namespace {

// The first cell of a PCI address: the space (1 = I/O, 2 = 32-bit memory, 3 = 64-bit memory).
constexpr uint32_t kSpaceIo = 0x0100'0000, kSpaceMem32 = 0x0200'0000, kSpaceMem64 = 0x0300'0000;

void add_range(std::vector<uint32_t>& cells, uint32_t space, uint64_t pci, uint64_t cpu, uint64_t size) {
  for (uint32_t c : {space, static_cast<uint32_t>(pci >> 32), static_cast<uint32_t>(pci),
                     static_cast<uint32_t>(cpu >> 32), static_cast<uint32_t>(cpu), static_cast<uint32_t>(size >> 32),
                     static_cast<uint32_t>(size)})
    cells.push_back(c);
}

}  // namespace

void PciRoot::add_fdt_node(FdtBuilder& fdt, const FdtContext& ctx) const {
  char name[64];
  snprintf(name, sizeof name, "pci@%lx", layout_.ecam.base);
  fdt.begin_node(name);
  fdt.prop_string("compatible", "pci-host-ecam-generic");
  fdt.prop_string("device_type", "pci");
  fdt.prop_u32("#address-cells", 3);
  fdt.prop_u32("#size-cells", 2);
  fdt.prop_u32("#interrupt-cells", 1);
  fdt.prop_reg(layout_.ecam.base, layout_.ecam.size);
  fdt.prop_cells("bus-range", {0, static_cast<uint32_t>((layout_.ecam.size >> 20) - 1)});
  fdt.prop_u32("linux,pci-domain", 0);
  fdt.prop_empty("dma-coherent");

  std::vector<uint32_t> ranges;
  add_range(ranges, kSpaceIo, 0, layout_.pio.base, layout_.pio.size);
  add_range(ranges, kSpaceMem32, layout_.mmio.base, layout_.mmio.base, layout_.mmio.size);
  if (layout_.mmio_high.size)
    add_range(ranges, kSpaceMem64, layout_.mmio_high.base, layout_.mmio_high.base, layout_.mmio_high.size);
  fdt.prop_cells("ranges", ranges);

  // The swizzle repeats every four slots: the mask keeps the slot's low two bits and the pin.
  std::vector<uint32_t> map;
  for (unsigned slot = 0; slot < IntxRouter::kWires; ++slot)
    for (unsigned pin = 1; pin <= 4; ++pin)
      for (uint32_t c : {slot << 11, 0u, 0u, pin, ctx.plic_phandle, intx_.source(IntxRouter::wire(slot, pin))})
        map.push_back(c);
  fdt.prop_cells("interrupt-map-mask", {3u << 11, 0, 0, 7});
  fdt.prop_cells("interrupt-map", map);
  fdt.end_node();
}

}  // namespace vessel::devices::pci
