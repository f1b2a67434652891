// A PCI function's configuration space (PCI Local Bus 3.0 chapter 6): a type 0 header, memory
// BARs that the guest sizes and places, and a capability list. Every byte has a mask of the
// bits the guest may write; everything else reads as the device set it. Thread-safe.
#pragma once
#include <array>
#include <atomic>
#include <cstdint>
#include <mutex>
#include <vector>

namespace vessel::snapshot {
class StateWriter;
class StateReader;
}  // namespace vessel::snapshot

namespace vessel::devices::pci {

namespace cfg {  // register offsets in the type 0 header
constexpr unsigned kVendorId = 0x00, kDeviceId = 0x02, kCommand = 0x04, kStatus = 0x06, kRevision = 0x08,
                   kClassCode = 0x09, kHeaderType = 0x0e, kBar0 = 0x10, kSubsystemVendorId = 0x2c,
                   kSubsystemId = 0x2e, kRomBar = 0x30, kCapabilities = 0x34, kInterruptLine = 0x3c,
                   kInterruptPin = 0x3d;
constexpr uint16_t kCommandIo = 1, kCommandMemory = 2, kCommandBusMaster = 4, kCommandIntxDisable = 1 << 10;
constexpr uint16_t kStatusInterrupt = 1 << 3, kStatusCapabilities = 1 << 4;
constexpr unsigned kFirstCapability = 0x40;
}  // namespace cfg

struct PciIdentity {
  uint16_t vendor = 0xffff, device = 0xffff;
  uint8_t revision = 0;
  uint32_t class_code = 0;  // base class, subclass, programming interface (24 bits)
  uint16_t subsystem_vendor = 0, subsystem = 0;
};

class ConfigSpace {
 public:
  static constexpr unsigned kSize = 256;  // no PCIe extended space: reads as zero
  static constexpr unsigned kBars = 6;

  explicit ConfigSpace(const PciIdentity& id);

  // Set-up, before the guest runs. A memory BAR of `size` bytes (a power of two, at least 16);
  // a 64-bit one takes registers index and index + 1.
  void add_memory_bar(unsigned index, uint64_t size, bool is64, bool prefetchable);
  void set_interrupt_pin(uint8_t pin);  // 1..4 = INTA..INTD
  // Appends a capability: `body` is its bytes after the ID and next-pointer bytes; the bytes
  // of `body` whose `writable` mask bits are set are guest-writable. Returns its offset.
  unsigned add_capability(uint8_t id, const std::vector<uint8_t>& body, const std::vector<uint8_t>& writable = {});

  // Guest accesses (offset < 4096; size 1, 2 or 4, naturally aligned).
  uint32_t read(unsigned offset, unsigned size) const;
  void write(unsigned offset, unsigned size, uint32_t value);
  // The device's own stores into its registers (ignore the masks), e.g. a capability's data.
  void store(unsigned offset, unsigned size, uint32_t value);

  uint16_t command() const { return static_cast<uint16_t>(read(cfg::kCommand, 2)); }
  bool memory_enabled() const { return command() & cfg::kCommandMemory; }
  bool intx_disabled() const { return command() & cfg::kCommandIntxDisable; }
  // Status bit 3, the function's INTx state as its device drives it (whether or not disabled).
  void set_interrupt_status(bool asserted) { interrupt_status_.store(asserted); }
  // BAR `index`: 0 if absent (or the upper half of a 64-bit BAR).
  uint64_t bar_size(unsigned index) const { return index < kBars ? bars_[index].size : 0; }
  uint64_t bar_address(unsigned index) const;

  // Snapshot persistence (pci_persist.cpp): the guest-writable bits only; restore keeps what
  // the device set up (identity, BAR sizes, capabilities) and refuses a different layout.
  void save_state(snapshot::StateWriter& out) const;
  bool restore_state(snapshot::StateReader& in);

 private:
  struct Bar {
    uint64_t size = 0;
    bool is64 = false;
  };
  void put(unsigned offset, unsigned size, uint32_t value, uint32_t writable);
  uint32_t get(unsigned offset, unsigned size) const;

  mutable std::mutex mutex_;
  std::array<uint8_t, kSize> bytes_{};
  std::array<uint8_t, kSize> writable_{};
  std::array<Bar, kBars> bars_{};
  unsigned last_capability_ = 0;  // offset of the last capability in the list, 0 if none
  unsigned next_capability_ = cfg::kFirstCapability;
  std::atomic<bool> interrupt_status_{false};
};

}  // namespace vessel::devices::pci
