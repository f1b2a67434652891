// The configuration space as a driver sees it: identity, BAR sizing by writing all ones,
// BAR placement, read-only bits that stay so, the capability list, and persistence.
#include <gtest/gtest.h>

#include "devices/pci/config_space.h"
#include "snapshot/state_stream.h"

namespace vessel::devices::pci {
namespace {

PciIdentity id() { return {0x1af4, 0x1042, 1, 0x010000, 0x1af4, 0x1100}; }

TEST(ConfigSpace, IdentityAndHeader) {
  ConfigSpace c(id());
  EXPECT_EQ(c.read(cfg::kVendorId, 4), 0x10421af4u);
  EXPECT_EQ(c.read(cfg::kRevision, 4), 0x01000001u) << "class 01.00.00, revision 1";
  EXPECT_EQ(c.read(cfg::kHeaderType, 1), 0u);
  EXPECT_EQ(c.read(cfg::kSubsystemVendorId, 4), 0x11001af4u);
  EXPECT_EQ(c.read(cfg::kCapabilities, 1), 0u) << "no capabilities yet";
  EXPECT_EQ(c.read(cfg::kStatus, 2) & cfg::kStatusCapabilities, 0u);
  EXPECT_EQ(c.read(0x100, 4), 0u) << "no PCIe extended space";
  // Identity is read-only.
  c.write(cfg::kVendorId, 4, 0xdeadbeef);
  c.write(cfg::kClassCode, 2, 0xffff);
  EXPECT_EQ(c.read(cfg::kVendorId, 4), 0x10421af4u);
  EXPECT_EQ(c.read(cfg::kRevision, 4), 0x01000001u);
}

TEST(ConfigSpace, CommandRegisterKeepsOnlyImplementedBits) {
  ConfigSpace c(id());
  c.write(cfg::kCommand, 2, 0xffff);
  EXPECT_EQ(c.command(), cfg::kCommandMemory | cfg::kCommandBusMaster | (1 << 6) | (1 << 8) | cfg::kCommandIntxDisable)
      << "no I/O space, no special cycles";
  EXPECT_TRUE(c.memory_enabled());
  EXPECT_TRUE(c.intx_disabled());
  c.write(cfg::kCommand, 1, 0);  // a byte write touches the low byte only
  EXPECT_FALSE(c.memory_enabled());
  EXPECT_TRUE(c.intx_disabled());
}

TEST(ConfigSpace, SixtyFourBitBarSizingAndPlacement) {
  ConfigSpace c(id());
  c.add_memory_bar(4, 0x4000, true, true);
  EXPECT_EQ(c.read(cfg::kBar0 + 16, 4), 0xcu) << "memory, 64-bit, prefetchable, unplaced";
  // Sizing as an OS does it: write all ones, read back, restore.
  c.write(cfg::kBar0 + 16, 4, 0xffffffff);
  c.write(cfg::kBar0 + 20, 4, 0xffffffff);
  EXPECT_EQ(c.read(cfg::kBar0 + 16, 4), 0xffffc00cu) << "low bits show the size (16 KiB), flags stay";
  EXPECT_EQ(c.read(cfg::kBar0 + 20, 4), 0xffffffffu);
  const uint64_t mask = (uint64_t{c.read(cfg::kBar0 + 20, 4)} << 32) | (c.read(cfg::kBar0 + 16, 4) & ~0xfu);
  EXPECT_EQ(~mask + 1, 0x4000u);
  // Placement: unaligned bits are dropped.
  c.write(cfg::kBar0 + 16, 4, 0x40001234);
  c.write(cfg::kBar0 + 20, 4, 0x4);
  EXPECT_EQ(c.bar_address(4), 0x4'4000'0000u);
  EXPECT_EQ(c.bar_size(4), 0x4000u);
  EXPECT_EQ(c.bar_size(5), 0u) << "the upper half is not a BAR of its own";
  EXPECT_EQ(c.bar_address(5), 0u);
  // Unimplemented BARs and the expansion ROM read as zero, even after sizing writes.
  for (unsigned off : {cfg::kBar0, cfg::kBar0 + 4, cfg::kRomBar}) {
    c.write(off, 4, 0xffffffff);
    EXPECT_EQ(c.read(off, 4), 0u) << off;
  }
}

TEST(ConfigSpace, ThirtyTwoBitBar) {
  ConfigSpace c(id());
  c.add_memory_bar(0, 0x1000, false, false);
  c.write(cfg::kBar0, 4, 0xffffffff);
  EXPECT_EQ(c.read(cfg::kBar0, 4), 0xfffff000u);
  c.write(cfg::kBar0, 2, 0x5678);  // partial writes: the low half only
  EXPECT_EQ(c.read(cfg::kBar0, 4), 0xffff5000u);
  EXPECT_EQ(c.bar_address(0), 0xffff5000u);
}

TEST(ConfigSpace, CapabilityList) {
  ConfigSpace c(id());
  const unsigned a = c.add_capability(0x09, {16, 1, 4, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8});
  const unsigned b = c.add_capability(0x09, {6, 5, 0, 0}, {0, 0, 0xff, 0x0f});
  EXPECT_EQ(a, cfg::kFirstCapability);
  EXPECT_EQ(b, a + 16) << "dword aligned, after the first";
  EXPECT_NE(c.read(cfg::kStatus, 2) & cfg::kStatusCapabilities, 0u);
  EXPECT_EQ(c.read(cfg::kCapabilities, 1), a);
  EXPECT_EQ(c.read(a, 1), 0x09u);
  EXPECT_EQ(c.read(a + 1, 1), b) << "next pointer";
  EXPECT_EQ(c.read(b + 1, 1), 0u) << "end of the list";
  EXPECT_EQ(c.read(a + 8, 4), 0x04030201u);
  c.write(a + 8, 4, 0);
  EXPECT_EQ(c.read(a + 8, 4), 0x04030201u) << "read-only capability bytes";
  c.write(b + 4, 2, 0xffff);
  EXPECT_EQ(c.read(b + 4, 2), 0x0fffu) << "only the writable bits";
}

TEST(ConfigSpace, InterruptStatusBitFollowsTheDevice) {
  ConfigSpace c(id());
  c.set_interrupt_pin(1);
  EXPECT_EQ(c.read(cfg::kInterruptPin, 1), 1u);
  c.write(cfg::kInterruptPin, 1, 3);
  EXPECT_EQ(c.read(cfg::kInterruptPin, 1), 1u) << "read-only";
  c.write(cfg::kInterruptLine, 1, 0x21);
  EXPECT_EQ(c.read(cfg::kInterruptLine, 1), 0x21u) << "scratch for the OS";
  c.set_interrupt_status(true);
  EXPECT_NE(c.read(cfg::kStatus, 2) & cfg::kStatusInterrupt, 0u);
  EXPECT_NE(c.read(cfg::kCommand, 4) & (uint32_t{cfg::kStatusInterrupt} << 16), 0u);
  c.write(cfg::kStatus, 2, 0xffff);
  c.set_interrupt_status(false);
  EXPECT_EQ(c.read(cfg::kStatus, 2) & cfg::kStatusInterrupt, 0u);
}

TEST(ConfigSpace, PersistenceKeepsWritableBitsAndRefusesAnotherDevice) {
  ConfigSpace a(id());
  a.add_memory_bar(4, 0x4000, true, true);
  a.write(cfg::kCommand, 2, cfg::kCommandMemory | cfg::kCommandBusMaster);
  a.write(cfg::kBar0 + 16, 4, 0x40008000);
  a.write(cfg::kInterruptLine, 1, 7);
  snapshot::StateWriter w;
  a.save_state(w);

  ConfigSpace b(id());
  b.add_memory_bar(4, 0x4000, true, true);
  snapshot::StateReader r(w.data().data(), w.data().size(), "config");
  ASSERT_TRUE(b.restore_state(r) && r.finish()) << r.error();
  EXPECT_EQ(b.bar_address(4), 0x40008000u);
  EXPECT_TRUE(b.memory_enabled());
  EXPECT_EQ(b.read(cfg::kInterruptLine, 1), 7u);

  PciIdentity other = id();
  other.device = 0x1041;
  ConfigSpace c(other);
  c.add_memory_bar(4, 0x4000, true, true);
  snapshot::StateReader r2(w.data().data(), w.data().size(), "config");
  EXPECT_FALSE(c.restore_state(r2));
  EXPECT_NE(r2.error().find("differs"), std::string::npos) << r2.error();

  ConfigSpace d(id());  // same IDs, another kind of BAR
  d.add_memory_bar(4, 0x4000, false, false);
  snapshot::StateReader r3(w.data().data(), w.data().size(), "config");
  EXPECT_FALSE(d.restore_state(r3));
}

}  // namespace
}  // namespace vessel::devices::pci
