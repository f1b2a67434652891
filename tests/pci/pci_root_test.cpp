// The root complex: ECAM addressing, the host bridge, BAR decoding only inside the PCI windows
// and only while memory space is enabled, the INTx swizzle onto shared wires, and the
// device-tree node compared with the one QEMU 7.2's virt board writes.
#include <gtest/gtest.h>

#include <map>
#include <mutex>

extern "C" {
#include <libfdt.h>
}

#include "devices/pci/pci_root.h"
#include "machine/board.h"
#include "machine/memory_map.h"

namespace vessel::devices::pci {
namespace {

struct Levels : InterruptController {
  void set_irq(unsigned source, bool level) override {
    std::lock_guard lock(mutex);
    levels[source] = level;
  }
  bool at(unsigned source) {
    std::lock_guard lock(mutex);
    return levels[source];
  }
  std::mutex mutex;
  std::map<unsigned, bool> levels;
};

// A function with one 32-bit 4 KiB memory BAR that remembers the accesses it sees.
class Probe : public PciFunction {
 public:
  Probe() : config_(PciIdentity{0x1234, 0x5678, 0, 0xff0000, 0, 0}) { config_.add_memory_bar(0, 0x1000, false, false); }
  ConfigSpace& config() override { return config_; }
  const char* name() const override { return "probe"; }
  bool bar_read(unsigned bar, uint64_t offset, unsigned, uint64_t& value) override {
    value = 0xab00 + offset;
    ++reads;
    last_bar = bar;
    return true;
  }
  bool bar_write(unsigned, uint64_t offset, unsigned, uint64_t value) override {
    last_write = {offset, value};
    ++writes;
    return true;
  }
  ConfigSpace config_;
  int reads = 0, writes = 0;
  unsigned last_bar = 99;
  std::pair<uint64_t, uint64_t> last_write{};
};

PciLayout layout() {
  return {{machine::map::kPcieEcam.base, machine::map::kPcieEcam.size},
          {machine::map::kPciePio.base, machine::map::kPciePio.size},
          {machine::map::kPcieMmio.base, machine::map::kPcieMmio.size},
          {0x4'0000'0000, 0x4'0000'0000},
          32};
}

uint64_t ecam(unsigned bus, unsigned dev, unsigned fn, unsigned reg) {
  return (uint64_t{bus} << 20) | (dev << 15) | (fn << 12) | reg;
}

struct Bus : ::testing::Test {
  Bus() : root(layout(), &irqs) {
    EXPECT_EQ(as.ram().map(machine::map::kDramBase, 1 << 20), "");
    EXPECT_TRUE(root.map(as));
    auto p = std::make_unique<Probe>();
    probe = p.get();
    root.attach(1, std::move(p));
  }
  uint32_t cfg_read(unsigned dev, unsigned reg, unsigned size = 4) {
    uint64_t v = 0;
    EXPECT_TRUE(as.read(machine::map::kPcieEcam.base + ecam(0, dev, 0, reg), size, v));
    return static_cast<uint32_t>(v);
  }
  void cfg_write(unsigned dev, unsigned reg, uint32_t v, unsigned size = 4) {
    EXPECT_TRUE(as.write(machine::map::kPcieEcam.base + ecam(0, dev, 0, reg), size, v));
  }
  Levels irqs;
  memory::AddressSpace as;
  PciRoot root;
  Probe* probe = nullptr;
};

TEST_F(Bus, EcamReachesFunctionsByBusDeviceFunction) {
  EXPECT_EQ(cfg_read(0, 0), 0x00081b36u) << "the host bridge, as QEMU's gpex";
  EXPECT_EQ(cfg_read(0, cfg::kRevision) >> 8, 0x060000u) << "class: host bridge";
  EXPECT_EQ(cfg_read(1, 0), 0x56781234u);
  EXPECT_EQ(cfg_read(1, 2, 2), 0x5678u);
  EXPECT_EQ(cfg_read(2, 0), 0xffffffffu) << "empty slot";
  EXPECT_EQ(cfg_read(31, 0, 2), 0xffffu);
  uint64_t v = 0;
  ASSERT_TRUE(as.read(machine::map::kPcieEcam.base + ecam(0, 1, 1, 0), 4, v));
  EXPECT_EQ(v, 0xffffffffu) << "single-function devices: function 1 is absent";
  ASSERT_TRUE(as.read(machine::map::kPcieEcam.base + ecam(1, 1, 0, 0), 4, v));
  EXPECT_EQ(v, 0xffffffffu) << "one bus";
  ASSERT_TRUE(as.read(machine::map::kPcieEcam.base + ecam(255, 31, 7, 0xffc), 4, v));
  EXPECT_EQ(v, 0xffffffffu) << "the last dword of the ECAM window";
  ASSERT_TRUE(as.read(machine::map::kPcieEcam.base + ecam(0, 1, 0, 0), 8, v));
  EXPECT_EQ(v, 0x0000000056781234ull) << "8 bytes: two dwords (command/status are zero)";
  ASSERT_TRUE(as.read(machine::map::kPcieEcam.base + ecam(0, 1, 0, 1), 2, v));
  EXPECT_EQ(v, 0xffffu) << "misaligned";
  // Writes to empty slots and read-only registers go nowhere.
  cfg_write(2, cfg::kCommand, 0xffff);
  cfg_write(1, 0, 0);
  EXPECT_EQ(cfg_read(1, 0), 0x56781234u);
  EXPECT_EQ(root.free_slot(), 2u);
}

TEST_F(Bus, BarDecodedOnlyWhenEnabledAndInsideAWindow) {
  const uint64_t bar = 0x4010'0000;
  uint64_t v = 0;
  cfg_write(1, cfg::kBar0, static_cast<uint32_t>(bar));
  ASSERT_TRUE(as.read(bar + 8, 4, v));
  EXPECT_EQ(v, 0xffffffffu) << "memory space disabled: master abort";
  EXPECT_EQ(probe->reads, 0);

  cfg_write(1, cfg::kCommand, cfg::kCommandMemory, 2);
  ASSERT_TRUE(as.read(bar + 8, 4, v));
  EXPECT_EQ(v, 0xab08u);
  EXPECT_EQ(probe->last_bar, 0u);
  ASSERT_TRUE(as.write(bar + 0x10, 2, 0x77));
  EXPECT_EQ(probe->last_write, std::make_pair(uint64_t{0x10}, uint64_t{0x77}));
  ASSERT_TRUE(as.read(bar + 0x1000, 4, v));
  EXPECT_EQ(v, 0xffffffffu) << "past the BAR";

  // Moved: the old place is free, the new one decodes.
  cfg_write(1, cfg::kBar0, 0x7fff'f000);
  ASSERT_TRUE(as.read(bar + 8, 4, v));
  EXPECT_EQ(v, 0xffffffffu);
  ASSERT_TRUE(as.read(0x7fff'f004, 4, v));
  EXPECT_EQ(v, 0xab04u) << "the last page of the 32-bit window";

  cfg_write(1, cfg::kCommand, 0, 2);
  ASSERT_TRUE(as.read(0x7fff'f004, 4, v));
  EXPECT_EQ(v, 0xffffffffu) << "memory space disabled again";
}

TEST_F(Bus, BarOverRamOrOtherDevicesIsNeverDecoded) {
  cfg_write(1, cfg::kCommand, cfg::kCommandMemory, 2);
  const int reads = probe->reads;
  // Over guest RAM: RAM keeps answering.
  cfg_write(1, cfg::kBar0, static_cast<uint32_t>(machine::map::kDramBase));
  ASSERT_TRUE(as.write(machine::map::kDramBase, 4, 0x12345678));
  uint64_t v = 0;
  ASSERT_TRUE(as.read(machine::map::kDramBase, 4, v));
  EXPECT_EQ(v, 0x12345678u);
  // Over the ECAM window itself and over the UART: configuration space still works.
  cfg_write(1, cfg::kBar0, static_cast<uint32_t>(machine::map::kPcieEcam.base));
  EXPECT_EQ(cfg_read(0, 0), 0x00081b36u);
  cfg_write(1, cfg::kBar0, static_cast<uint32_t>(machine::map::kUart0.base));
  EXPECT_EQ(probe->reads, reads);
  EXPECT_EQ(probe->writes, 0);
}

TEST_F(Bus, SixtyFourBitWindowAboveRam) {
  // A 64-bit BAR in the high window; the root reads BARs through the configuration space.
  class Wide : public Probe {
   public:
    Wide() { config_.add_memory_bar(2, 0x4000, true, true); }
  };
  root.attach(5, std::make_unique<Wide>());
  cfg_write(5, cfg::kBar0 + 8, 0);
  cfg_write(5, cfg::kBar0 + 12, 0x4);
  cfg_write(5, cfg::kCommand, cfg::kCommandMemory, 2);
  uint64_t v = 0;
  ASSERT_TRUE(as.read(0x4'0000'0010, 4, v));
  EXPECT_EQ(v, 0xab10u);
  // BARs are naturally aligned, so one never straddles a window's end.
  cfg_write(5, cfg::kBar0 + 8, 0xffffc000);
  cfg_write(5, cfg::kBar0 + 12, 0x7);
  ASSERT_TRUE(as.read(0x7'ffff'c000, 4, v));
  EXPECT_EQ(v, 0xab00u) << "the last 16 KiB of the window";
  cfg_write(5, cfg::kBar0 + 12, 0xffffffff);
  EXPECT_FALSE(as.read(0xffff'ffff'ffff'c000, 4, v)) << "nothing there";
}

TEST_F(Bus, IntxSwizzleOntoSharedWires) {
  // INTA of slots 1, 2, 3, 4, 5 lands on wires 1, 2, 3, 0, 1: sources 33, 34, 35, 32, 33.
  EXPECT_EQ(IntxRouter::wire(1, 1), 1u);
  EXPECT_EQ(IntxRouter::wire(4, 1), 0u);
  EXPECT_EQ(IntxRouter::wire(0, 2), 1u);
  EXPECT_EQ(IntxRouter::wire(3, 4), 2u);
  IrqLine a = root.intx_line(1), b = root.intx_line(5), c = root.intx_line(4);
  a.set(true);
  EXPECT_TRUE(irqs.at(33));
  b.set(true);
  a.set(false);
  EXPECT_TRUE(irqs.at(33)) << "slot 5 still drives the shared wire";
  b.set(false);
  EXPECT_FALSE(irqs.at(33));
  c.set(true);
  EXPECT_TRUE(irqs.at(32));
  EXPECT_FALSE(irqs.at(33));
}

std::vector<uint32_t> cells(const void* fdt, int node, const char* name) {
  int len = 0;
  const auto* p = static_cast<const fdt32_t*>(fdt_getprop(fdt, node, name, &len));
  std::vector<uint32_t> out;
  for (int i = 0; p && i < len / 4; ++i) out.push_back(fdt32_to_cpu(p[i]));
  return out;
}

TEST_F(Bus, DeviceTreeNodeMatchesQemuVirt) {
  FdtBuilder b;
  b.begin_node("");
  root.add_fdt_node(b, FdtContext{3, nullptr, 0});
  b.end_node();
  const auto blob = b.finish();
  ASSERT_FALSE(blob.empty());
  const int node = fdt_path_offset(blob.data(), "/pci@30000000");
  ASSERT_GE(node, 0);
  EXPECT_STREQ(static_cast<const char*>(fdt_getprop(blob.data(), node, "compatible", nullptr)),
               "pci-host-ecam-generic");
  EXPECT_STREQ(static_cast<const char*>(fdt_getprop(blob.data(), node, "device_type", nullptr)), "pci");
  EXPECT_NE(fdt_getprop(blob.data(), node, "dma-coherent", nullptr), nullptr);
  EXPECT_EQ(cells(blob.data(), node, "#address-cells"), std::vector<uint32_t>{3});
  EXPECT_EQ(cells(blob.data(), node, "#size-cells"), std::vector<uint32_t>{2});
  EXPECT_EQ(cells(blob.data(), node, "#interrupt-cells"), std::vector<uint32_t>{1});
  EXPECT_EQ(cells(blob.data(), node, "linux,pci-domain"), std::vector<uint32_t>{0});
  EXPECT_EQ(cells(blob.data(), node, "bus-range"), (std::vector<uint32_t>{0, 0xff}));
  EXPECT_EQ(cells(blob.data(), node, "reg"), (std::vector<uint32_t>{0, 0x30000000, 0, 0x10000000}));
  // From `qemu-system-riscv64 -machine virt -machine dumpdtb=virt.dtb` (QEMU 7.2, 128 MiB).
  EXPECT_EQ(cells(blob.data(), node, "ranges"),
            (std::vector<uint32_t>{0x1000000, 0x00, 0x00, 0x00, 0x3000000, 0x00, 0x10000,
                                   0x2000000, 0x00, 0x40000000, 0x00, 0x40000000, 0x00, 0x40000000,
                                   0x3000000, 0x04, 0x00, 0x04, 0x00, 0x04, 0x00}));
  EXPECT_EQ(cells(blob.data(), node, "interrupt-map-mask"), (std::vector<uint32_t>{0x1800, 0, 0, 7}));
  EXPECT_EQ(cells(blob.data(), node, "interrupt-map"),
            (std::vector<uint32_t>{
                0x00, 0, 0, 1, 3, 0x20, 0x00, 0, 0, 2, 3, 0x21, 0x00, 0, 0, 3, 3, 0x22, 0x00, 0, 0, 4, 3, 0x23,
                0x800, 0, 0, 1, 3, 0x21, 0x800, 0, 0, 2, 3, 0x22, 0x800, 0, 0, 3, 3, 0x23, 0x800, 0, 0, 4, 3, 0x20,
                0x1000, 0, 0, 1, 3, 0x22, 0x1000, 0, 0, 2, 3, 0x23, 0x1000, 0, 0, 3, 3, 0x20, 0x1000, 0, 0, 4, 3, 0x21,
                0x1800, 0, 0, 1, 3, 0x23, 0x1800, 0, 0, 2, 3, 0x20, 0x1800, 0, 0, 3, 3, 0x21, 0x1800, 0, 0, 4, 3, 0x22}));
}

TEST(PciLayout, HighWindowAboveRamLikeQemu) {
  EXPECT_EQ(machine::map::pcie_mmio_high(128ull << 20).base, 0x4'0000'0000u);
  EXPECT_EQ(machine::map::pcie_mmio_high(16ull << 30).base, 0x8'0000'0000u) << "RAM up to 0x4_8000_0000";
  // The board's windows do not overlap anything it maps (Board::create checks it).
  auto board = machine::Board::create({64ull << 20, 1, false}, [](const uint8_t*, size_t) {});
  ASSERT_TRUE(board) << board.error();
  EXPECT_EQ(board.value()->pci->layout().mmio_high.base, 0x4'0000'0000u);
}

}  // namespace
}  // namespace vessel::devices::pci
