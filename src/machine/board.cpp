#include "machine/board.h"

#include <cstdio>

#include "machine/memory_map.h"

namespace vessel::machine {

Result<std::unique_ptr<Board>> Board::create(const BoardConfig& cfg, devices::Uart16550::Output console_output) {
  if (cfg.harts < 1 || cfg.harts > kMaxHarts)
    return Error{"--cpus must be between 1 and " + std::to_string(kMaxHarts)};
  std::unique_ptr<Board> b(new Board());
  if (auto err = b->as.ram().map(map::kDramBase, cfg.memory_bytes, cfg.huge_pages); !err.empty()) return Error{err};

  std::vector<riscv::Hart*> harts;
  for (unsigned i = 0; i < cfg.harts; ++i) {
    b->harts.push_back(std::make_unique<riscv::Hart>(b->as, b->timebase, i));
    b->harts.back()->set_cpu(cfg.cpu);
    harts.push_back(b->harts.back().get());
  }
  b->clint = std::make_unique<devices::Clint>(map::kClint.base, b->timebase, harts);
  b->plic = std::make_unique<devices::Plic>(map::kPlic.base, harts);
  b->uart = std::make_unique<devices::Uart16550>(map::kUart0.base, devices::IrqLine(b->plic.get(), kUartIrq),
                                                 std::move(console_output));
  b->rtc = std::make_unique<devices::GoldfishRtc>(map::kRtc.base, devices::IrqLine(b->plic.get(), kRtcIrq));
  b->test = std::make_unique<devices::SifiveTest>(map::kTest.base);

  const struct {
    const MemoryRegion& region;
    memory::MmioDevice* device;
  } windows[] = {{map::kTest, b->test.get()},   {map::kRtc, b->rtc.get()},     {map::kClint, b->clint.get()},
                 {map::kPlic, b->plic.get()},   {map::kUart0, b->uart.get()}};
  for (const auto& w : windows)
    if (!b->as.add_mmio(w.region.base, w.region.size, w.device))
      return Error{std::string("internal error: device window overlap at ") + w.region.name};

  const MemoryRegion high = map::pcie_mmio_high(cfg.memory_bytes);
  const devices::pci::PciLayout pci{{map::kPcieEcam.base, map::kPcieEcam.size},
                                    {map::kPciePio.base, map::kPciePio.size},
                                    {map::kPcieMmio.base, map::kPcieMmio.size},
                                    {high.base, high.size},
                                    kPcieFirstIrq};
  b->pci = std::make_unique<devices::pci::PciRoot>(pci, b->plic.get());
  if (!b->pci->map(b->as)) return Error{"internal error: PCI window overlap"};
  return b;
}

Result<devices::virtio::MmioTransport*> Board::add_virtio(std::unique_ptr<devices::virtio::VirtioDevice> device) {
  const unsigned slot = static_cast<unsigned>(virtio.size());
  if (slot >= map::kVirtioSlots)
    return Error{std::string("no free virtio-mmio slot for virtio-") + device->name() + " (there are " +
                 std::to_string(map::kVirtioSlots) + "); put devices on PCI with bus=pci"};
  const uint64_t base = map::kVirtio.base + slot * map::kVirtio.size;
  virtio.push_back(std::make_unique<devices::virtio::MmioTransport>(
      base, devices::IrqLine(plic.get(), kVirtioFirstIrq + slot), as.ram(), std::move(device), io));
  if (!as.add_mmio(base, map::kVirtio.size, virtio.back().get())) return Error{"internal error: virtio window overlap"};
  return virtio.back().get();
}

Result<devices::virtio::PciTransport*> Board::add_virtio_pci(std::unique_ptr<devices::virtio::VirtioDevice> device) {
  const auto slot = pci->free_slot();
  if (!slot)
    return Error{std::string("no free PCI slot for virtio-") + device->name() + " (at most " +
                 std::to_string(devices::pci::PciRoot::kSlots - 1) + " PCI devices)"};
  auto t = std::make_unique<devices::virtio::PciTransport>(*slot, pci->intx_line(*slot), as.ram(), std::move(device), io);
  devices::virtio::PciTransport* raw = t.get();
  pci->attach(*slot, std::move(t));
  return raw;
}

std::vector<const devices::FdtNode*> Board::soc_nodes() const {
  std::vector<const devices::FdtNode*> nodes = {test.get(), rtc.get(), uart.get(), clint.get(), plic.get()};
  for (const auto& v : virtio) nodes.push_back(v.get());
  nodes.push_back(pci.get());
  return nodes;
}

std::vector<uint8_t> Board::device_tree(const std::string& bootargs, uint64_t initrd_start,
                                        uint64_t initrd_end) const {
  devices::FdtBuilder fdt;
  std::vector<uint32_t> intc(harts.size());
  for (auto& p : intc) p = fdt.alloc_phandle();
  plic->phandle = fdt.alloc_phandle();
  test->phandle = fdt.alloc_phandle();
  const devices::FdtContext ctx{plic->phandle, intc.data(), static_cast<unsigned>(harts.size())};

  fdt.begin_node("");
  fdt.prop_u32("#address-cells", 2);
  fdt.prop_u32("#size-cells", 2);
  fdt.prop_string("compatible", "riscv-virtio");
  fdt.prop_string("model", "riscv-virtio,qemu");

  fdt.begin_node("chosen");
  if (!bootargs.empty()) fdt.prop_string("bootargs", bootargs);
  char stdout_path[64];
  snprintf(stdout_path, sizeof stdout_path, "/soc/serial@%lx", map::kUart0.base);
  fdt.prop_string("stdout-path", stdout_path);
  if (initrd_end > initrd_start) {
    fdt.prop_u64("linux,initrd-start", initrd_start);
    fdt.prop_u64("linux,initrd-end", initrd_end);
  }
  fdt.end_node();

  char name[64];
  snprintf(name, sizeof name, "memory@%lx", as.ram().base());
  fdt.begin_node(name);
  fdt.prop_string("device_type", "memory");
  fdt.prop_reg(as.ram().base(), as.ram().size());
  fdt.end_node();

  fdt.begin_node("cpus");
  fdt.prop_u32("#address-cells", 1);
  fdt.prop_u32("#size-cells", 0);
  fdt.prop_u32("timebase-frequency", Timebase::kFrequencyHz);
  for (unsigned i = 0; i < harts.size(); ++i) {
    snprintf(name, sizeof name, "cpu@%u", i);
    fdt.begin_node(name);
    fdt.prop_string("device_type", "cpu");
    fdt.prop_u32("reg", i);
    fdt.prop_string("status", "okay");
    fdt.prop_string("compatible", "riscv");
    const riscv::CpuProfile cpu = harts[i]->cpu;
    // The ISA string older kernels read, and the properties Linux 6.x prefers.
    fdt.prop_string("riscv,isa", riscv::isa_string(cpu));
    fdt.prop_string("riscv,isa-base", "rv64i");
    fdt.prop_strings("riscv,isa-extensions", riscv::isa_extension_names(cpu));
    const riscv::ExtSet ext = riscv::extensions_of(cpu);
    if (ext.has(riscv::Ext::Zicbom)) fdt.prop_u32("riscv,cbom-block-size", riscv::kCacheBlockBytes);
    if (ext.has(riscv::Ext::Zicboz)) fdt.prop_u32("riscv,cboz-block-size", riscv::kCacheBlockBytes);
    if (ext.has(riscv::Ext::Zicbop)) fdt.prop_u32("riscv,cbop-block-size", riscv::kCacheBlockBytes);
    fdt.prop_string("mmu-type", "riscv,sv57");
    fdt.begin_node("interrupt-controller");
    fdt.prop_u32("#interrupt-cells", 1);
    fdt.prop_empty("interrupt-controller");
    fdt.prop_string("compatible", "riscv,cpu-intc");
    fdt.prop_u32("phandle", intc[i]);
    fdt.end_node();
    fdt.end_node();
  }
  fdt.end_node();  // cpus

  fdt.begin_node("soc");
  fdt.prop_u32("#address-cells", 2);
  fdt.prop_u32("#size-cells", 2);
  fdt.prop_string("compatible", "simple-bus");
  fdt.prop_empty("ranges");
  for (const devices::FdtNode* node : soc_nodes()) node->add_fdt_node(fdt, ctx);
  fdt.end_node();  // soc

  fdt.end_node();  // root
  return fdt.finish();
}

}  // namespace vessel::machine
