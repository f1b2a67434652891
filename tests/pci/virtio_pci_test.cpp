// virtio-pci as a driver uses it, through the ECAM window and the BAR only: the identity, the
// capabilities found by walking the list, feature negotiation, queue setup, a request served
// on the I/O thread, INTx raised with the ISR and lowered by reading it (and masked by the
// command register's INTx disable), the pci_cfg access window, reset, and persistence.
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <cstring>
#include <map>
#include <mutex>

#include "devices/pci/pci_root.h"
#include "devices/virtio/balloon/balloon_device.h"
#include "devices/virtio/pci_transport.h"
#include "devices/virtio/rng/rng_device.h"
#include "machine/memory_map.h"
#include "snapshot/state_stream.h"

namespace vessel::devices::virtio {
namespace {

using namespace std::chrono_literals;
namespace cfg = pci::cfg;

constexpr uint64_t kRam = machine::map::kDramBase, kBarAt = 0x4000'0000;
constexpr unsigned kSlot = 1, kWireSource = 32 + 1;  // INTA of slot 1: wire 1

struct Levels : InterruptController {
  void set_irq(unsigned source, bool level) override {
    {
      std::lock_guard lock(mutex);
      levels[source] = level;
    }
    cv.notify_all();
  }
  bool at(unsigned source) {
    std::lock_guard lock(mutex);
    return levels[source];
  }
  bool wait_for(unsigned source, bool level) {
    std::unique_lock lock(mutex);
    return cv.wait_for(lock, 10s, [&] { return levels[source] == level; });
  }
  std::mutex mutex;
  std::condition_variable cv;
  std::map<unsigned, bool> levels;
};

struct Cap {
  uint8_t bar = 0xff;
  uint32_t offset = 0, length = 0, extra = 0;
  unsigned at = 0;  // where in configuration space
};

class VirtioPci : public ::testing::Test {
 protected:
  VirtioPci() {
    EXPECT_EQ(as.ram().map(kRam, 1 << 20), "");
    root = std::make_unique<pci::PciRoot>(layout(), &irqs);
    EXPECT_TRUE(root->map(as));
    attach(std::make_unique<RngDevice>());
  }
  ~VirtioPci() override { loop.stop(); }
  static pci::PciLayout layout() {
    return {{machine::map::kPcieEcam.base, machine::map::kPcieEcam.size},
            {machine::map::kPciePio.base, machine::map::kPciePio.size},
            {machine::map::kPcieMmio.base, machine::map::kPcieMmio.size},
            {},
            32};
  }
  void attach(std::unique_ptr<VirtioDevice> device) {
    auto t = std::make_unique<PciTransport>(kSlot, root->intx_line(kSlot), as.ram(), std::move(device), loop);
    transport = t.get();
    root->attach(kSlot, std::move(t));
  }
  uint32_t cfg_read(unsigned reg, unsigned size = 4) {
    uint64_t v = 0;
    EXPECT_TRUE(as.read(machine::map::kPcieEcam.base + (kSlot << 15) + reg, size, v));
    return static_cast<uint32_t>(v);
  }
  void cfg_write(unsigned reg, uint32_t v, unsigned size = 4) {
    EXPECT_TRUE(as.write(machine::map::kPcieEcam.base + (kSlot << 15) + reg, size, v));
  }
  // Walks the capability list for the virtio structures, by cfg_type.
  std::map<uint8_t, Cap> capabilities() {
    std::map<uint8_t, Cap> caps;
    unsigned at = cfg_read(cfg::kCapabilities, 1);
    for (int n = 0; at && n < 48; ++n, at = cfg_read(at + 1, 1)) {
      if (cfg_read(at, 1) != 0x09) continue;
      Cap c{static_cast<uint8_t>(cfg_read(at + 4, 1)), cfg_read(at + 8), cfg_read(at + 12), 0, at};
      if (cfg_read(at + 2, 1) >= 20) c.extra = cfg_read(at + 16);
      caps[static_cast<uint8_t>(cfg_read(at + 3, 1))] = c;
    }
    return caps;
  }
  void place_bar() {
    cfg_write(cfg::kBar0 + 16, static_cast<uint32_t>(kBarAt));
    cfg_write(cfg::kBar0 + 20, 0);
    cfg_write(cfg::kCommand, cfg::kCommandMemory | cfg::kCommandBusMaster, 2);
  }
  uint64_t common(unsigned off, unsigned size) {
    uint64_t v = 0;
    EXPECT_TRUE(as.read(kBarAt + PciTransport::kCommonCfg + off, size, v));
    return v;
  }
  void set_common(unsigned off, unsigned size, uint64_t v) {
    EXPECT_TRUE(as.write(kBarAt + PciTransport::kCommonCfg + off, size, v));
  }
  uint64_t isr() {
    uint64_t v = 0;
    EXPECT_TRUE(as.read(kBarAt + PciTransport::kIsr, 1, v));
    return v;
  }
  template <typename T>
  T* ram(uint64_t addr) {
    return reinterpret_cast<T*>(as.ram_ptr(addr, sizeof(T)));
  }
  // A driver's set-up of queue 0 with 16 entries; rings in RAM at +0x1000, +0x2000, +0x3000.
  void set_up_driver() {
    set_common(0x14, 1, 1 | 2);  // ACKNOWLEDGE | DRIVER
    set_common(0x08, 4, 1);
    set_common(0x0c, 4, 1);  // VERSION_1
    set_common(0x08, 4, 0);
    set_common(0x0c, 4, 0);
    set_common(0x14, 1, 1 | 2 | 8);
    ASSERT_EQ(common(0x14, 1), 11u) << "FEATURES_OK accepted";
    set_common(0x16, 2, 0);
    set_common(0x18, 2, 16);
    for (auto [off, addr] : {std::pair{0x20u, kRam + 0x1000}, {0x28u, kRam + 0x2000}, {0x30u, kRam + 0x3000}}) {
      set_common(off, 4, static_cast<uint32_t>(addr));  // as Linux: two 32-bit halves
      set_common(off + 4, 4, addr >> 32);
    }
    set_common(0x1c, 2, 1);
    set_common(0x14, 1, 1 | 2 | 8 | 4);
    ASSERT_EQ(common(0x14, 1), 15u) << "DRIVER_OK";
  }
  // Makes descriptor `n` (16 writable bytes) available and notifies queue 0.
  void request(uint16_t n) {
    struct Desc {
      uint64_t addr;
      uint32_t len;
      uint16_t flags, next;
    };
    *ram<Desc>(kRam + 0x1000 + 16 * n) = {kRam + 0x4000 + 16 * n, 16, 2 /* WRITE */, 0};
    uint16_t* avail = ram<uint16_t>(kRam + 0x2000);
    avail[2 + avail[1] % 16] = n;
    __atomic_store_n(&avail[1], static_cast<uint16_t>(avail[1] + 1), __ATOMIC_RELEASE);
    const Cap notify = capabilities()[2];
    ASSERT_TRUE(as.write(kBarAt + notify.offset + 0 * notify.extra, 2, 0));
  }
  uint16_t used_idx() { return __atomic_load_n(ram<uint16_t>(kRam + 0x3000 + 2), __ATOMIC_ACQUIRE); }

  Levels irqs;
  memory::AddressSpace as;
  EventLoop loop;
  std::unique_ptr<pci::PciRoot> root;
  PciTransport* transport = nullptr;
};

TEST_F(VirtioPci, IdentityAndCapabilities) {
  EXPECT_EQ(cfg_read(cfg::kVendorId), 0x10441af4u) << "modern virtio-rng: 0x1040 + 4";
  EXPECT_EQ(cfg_read(cfg::kRevision, 1), 1u) << "non-transitional";
  EXPECT_EQ(cfg_read(cfg::kSubsystemVendorId), 0x11001af4u);
  EXPECT_EQ(cfg_read(cfg::kInterruptPin, 1), 1u) << "INTA";
  EXPECT_NE(cfg_read(cfg::kStatus, 2) & cfg::kStatusCapabilities, 0u);
  // BAR 4, 64-bit: sized by writing all ones.
  cfg_write(cfg::kBar0 + 16, 0xffffffff);
  cfg_write(cfg::kBar0 + 20, 0xffffffff);
  const uint64_t mask = (uint64_t{cfg_read(cfg::kBar0 + 20)} << 32) | (cfg_read(cfg::kBar0 + 16) & ~0xfu);
  EXPECT_EQ(~mask + 1, PciTransport::kBarSize);
  EXPECT_EQ(cfg_read(cfg::kBar0 + 16) & 0xf, 0xcu) << "64-bit prefetchable memory";

  auto caps = capabilities();
  ASSERT_EQ(caps.size(), 5u) << "common, notify, ISR, device, pci_cfg";
  for (uint8_t type = 1; type <= 4; ++type) {
    EXPECT_EQ(caps[type].bar, PciTransport::kBar) << int(type);
    EXPECT_LE(caps[type].offset + caps[type].length, PciTransport::kBarSize) << int(type);
  }
  EXPECT_GE(caps[1].length, 0x38u) << "the whole virtio_pci_common_cfg";
  EXPECT_EQ(caps[2].extra, 4u) << "notify_off_multiplier";
  EXPECT_GE(caps[3].length, 1u);
  EXPECT_EQ(caps[1].offset % 4 + caps[2].offset % 4 + caps[4].offset % 4, 0u) << "aligned";
}

TEST_F(VirtioPci, RequestRaisesIntxAndIsrReadLowersIt) {
  place_bar();
  EXPECT_EQ(common(0x12, 2), 1u) << "num_queues";
  set_common(0x00, 4, 1);
  EXPECT_EQ(common(0x04, 4) & 1, 1u) << "VERSION_1 offered";
  set_common(0x16, 2, 0);
  EXPECT_EQ(common(0x18, 2), 256u) << "queue_size starts at the maximum";
  EXPECT_EQ(common(0x1a, 2), 0xffffu) << "no MSI-X vector";
  EXPECT_EQ(common(0x10, 2), 0xffffu);
  EXPECT_EQ(common(0x1e, 2), 0u) << "queue_notify_off";
  set_common(0x16, 2, 1);
  EXPECT_EQ(common(0x18, 2), 0u) << "no queue 1";
  set_up_driver();
  EXPECT_EQ(common(0x20, 8), kRam + 0x1000) << "a 64-bit field read whole";
  EXPECT_EQ(common(0x18, 2), 16u);

  loop.start();
  request(0);
  ASSERT_TRUE(irqs.wait_for(kWireSource, true)) << "INTA of slot 1 on PLIC source 33";
  EXPECT_EQ(used_idx(), 1);
  EXPECT_EQ(ram<uint32_t>(kRam + 0x3000 + 4)[1], 16u) << "16 bytes written";
  EXPECT_NE(cfg_read(cfg::kStatus, 2) & cfg::kStatusInterrupt, 0u);
  EXPECT_EQ(isr(), 1u) << "queue interrupt";
  EXPECT_FALSE(irqs.at(kWireSource)) << "reading the ISR deasserts INTx";
  EXPECT_EQ(cfg_read(cfg::kStatus, 2) & cfg::kStatusInterrupt, 0u);
  EXPECT_EQ(isr(), 0u) << "and clears it";

  // INTx disable masks the wire but not the function's interrupt status.
  request(1);
  ASSERT_TRUE(irqs.wait_for(kWireSource, true));
  cfg_write(cfg::kCommand, cfg::kCommandMemory | cfg::kCommandIntxDisable, 2);
  EXPECT_FALSE(irqs.at(kWireSource));
  EXPECT_NE(cfg_read(cfg::kStatus, 2) & cfg::kStatusInterrupt, 0u);
  cfg_write(cfg::kCommand, cfg::kCommandMemory, 2);
  EXPECT_TRUE(irqs.at(kWireSource));
  EXPECT_EQ(isr(), 1u);
  EXPECT_FALSE(irqs.at(kWireSource));
}

TEST_F(VirtioPci, RefusesLegacyDriversAndResets) {
  place_bar();
  set_common(0x14, 1, 1 | 2);
  set_common(0x14, 1, 1 | 2 | 8);  // no VERSION_1
  EXPECT_EQ(common(0x14, 1), 3u) << "FEATURES_OK refused";
  set_common(0x14, 1, 0);
  EXPECT_EQ(common(0x14, 1), 0u);
  set_up_driver();
  set_common(0x16, 2, 0);
  set_common(0x20, 4, 0x1234);
  EXPECT_EQ(common(0x20, 8), kRam + 0x1000) << "a live queue's layout is fixed";
  set_common(0x14, 1, 0);  // reset
  EXPECT_EQ(common(0x14, 1), 0u);
  EXPECT_EQ(common(0x1c, 2), 0u) << "queue disabled";
  EXPECT_EQ(common(0x18, 2), 256u) << "size back at the maximum";
}

TEST_F(VirtioPci, PciCfgCapabilityReachesTheBar) {
  // No BAR placed, memory space disabled: the window still works (it is in config space).
  const Cap c = capabilities()[5];
  ASSERT_NE(c.at, 0u);
  cfg_write(c.at + 4, PciTransport::kBar, 1);
  cfg_write(c.at + 8, PciTransport::kCommonCfg + 0x12);  // num_queues
  cfg_write(c.at + 12, 2);
  EXPECT_EQ(cfg_read(c.at + 16, 2), 1u);
  cfg_write(c.at + 8, PciTransport::kCommonCfg + 0x14);  // device_status
  cfg_write(c.at + 12, 1);
  cfg_write(c.at + 16, 1, 1);
  place_bar();
  EXPECT_EQ(common(0x14, 1), 1u) << "written through the window";
  // Outside the BAR or with a bad length: nothing happens.
  cfg_write(c.at + 8, PciTransport::kBarSize);
  cfg_write(c.at + 16, 0);
  cfg_write(c.at + 8, PciTransport::kCommonCfg + 0x14);
  cfg_write(c.at + 12, 3);
  cfg_write(c.at + 16, 0);
  EXPECT_EQ(common(0x14, 1), 1u);
}

TEST_F(VirtioPci, BarOutsideTheWindowsIsNotDecoded) {
  cfg_write(cfg::kBar0 + 16, 0);
  cfg_write(cfg::kBar0 + 20, 0x1);  // 0x1_0000_0000: no window there (this layout has no high one)
  cfg_write(cfg::kCommand, cfg::kCommandMemory, 2);
  uint64_t v;
  EXPECT_FALSE(as.read(0x1'0000'0000, 4, v));
  place_bar();
  cfg_write(cfg::kCommand, 0, 2);
  ASSERT_TRUE(as.read(kBarAt + 0x12, 2, v));
  EXPECT_EQ(v, 0xffffu) << "memory space disabled";
}

TEST_F(VirtioPci, SnapshotRoundTripKeepsPlacementAndQueues) {
  place_bar();
  set_up_driver();
  loop.start();
  request(0);
  ASSERT_TRUE(irqs.wait_for(kWireSource, true));
  loop.stop();
  snapshot::StateWriter w;
  transport->save_state(w);

  // A fresh bus with the same device, as a restoring VMM builds it.
  memory::AddressSpace as2;
  ASSERT_EQ(as2.ram().map(kRam, 1 << 20), "");
  memcpy(as2.ram_ptr(kRam, 1 << 20), as.ram_ptr(kRam, 1 << 20), 1 << 20);
  Levels irqs2;
  pci::PciRoot root2(layout(), &irqs2);
  ASSERT_TRUE(root2.map(as2));
  auto t = std::make_unique<PciTransport>(kSlot, root2.intx_line(kSlot), as2.ram(), std::make_unique<RngDevice>(), loop);
  PciTransport* restored = t.get();
  root2.attach(kSlot, std::move(t));
  snapshot::StateReader r(w.data().data(), w.data().size(), "PCI slot 1");
  ASSERT_TRUE(restored->restore_state(r) && r.finish()) << r.error();
  root2.update_decoding();
  EXPECT_EQ(restored->status(), 15u);
  EXPECT_TRUE(irqs2.at(kWireSource)) << "the pending interrupt is asserted again";
  snapshot::StateWriter again;
  restored->save_state(again);
  EXPECT_EQ(again.data(), w.data()) << "saving the restored transport gives the same bytes";
  uint64_t v = 0;
  ASSERT_TRUE(as2.read(kBarAt + 0x20, 8, v));
  EXPECT_EQ(v, kRam + 0x1000) << "the BAR decodes where the guest put it";
  ASSERT_TRUE(as2.read(kBarAt + PciTransport::kIsr, 1, v));
  EXPECT_EQ(v, 1u);
  EXPECT_FALSE(irqs2.at(kWireSource));

  // Another device in the slot is refused.
  EventLoop loop2;
  PciTransport other(kSlot, {}, as2.ram(), std::make_unique<BalloonDevice>(), loop2);
  snapshot::StateReader wrong(w.data().data(), w.data().size(), "PCI slot 1");
  EXPECT_FALSE(other.restore_state(wrong));
}

}  // namespace
}  // namespace vessel::devices::virtio
