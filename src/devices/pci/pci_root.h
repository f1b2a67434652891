// The PCIe root complex of QEMU's virt board (a generic ECAM host bridge, "gpex"): bus 0 with
// up to 32 single-function devices, the host bridge at 00:00.0, and the windows it decodes:
//   ECAM   configuration space, 1 MiB per bus (bus << 20 | device << 15 | function << 12 | reg)
//   PIO    the I/O window (no function has I/O BARs: reads all ones)
//   MMIO   the 32-bit and 64-bit memory windows in which the guest places the BARs
// A BAR is decoded only while its function's memory space is enabled and the BAR lies wholly
// inside a memory window: whatever the guest writes, no BAR shadows RAM or another device.
// Addresses in a window that no BAR claims read all ones and ignore writes (master abort).
#pragma once
#include <array>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <vector>

#include "devices/fdt_node.h"
#include "devices/pci/intx_router.h"
#include "devices/pci/pci_function.h"
#include "memory/address_space.h"

namespace vessel::devices::pci {

struct Window {
  uint64_t base = 0, size = 0;
  bool contains(uint64_t a, uint64_t len) const { return len <= size && a >= base && a - base <= size - len; }
};

struct PciLayout {
  Window ecam, pio, mmio, mmio_high;  // mmio_high.size == 0: none
  unsigned first_irq = 0;             // INTx wires on interrupt sources first_irq..first_irq+3
};

class PciRoot : public FdtNode {
 public:
  static constexpr unsigned kSlots = IntxRouter::kSlots;

  PciRoot(const PciLayout& layout, InterruptController* irq_controller);
  // Registers the windows in the address space; false if they overlap something.
  [[nodiscard]] bool map(memory::AddressSpace& as);

  // The lowest free slot (the host bridge holds 0), or nullopt if the bus is full.
  std::optional<unsigned> free_slot() const;
  // The INTA line of a function in `slot`, for its transport.
  IrqLine intx_line(unsigned slot) { return intx_.line(slot); }
  void attach(unsigned slot, std::unique_ptr<PciFunction> function);
  PciFunction* function(unsigned slot) const { return slot < kSlots ? slots_[slot].get() : nullptr; }
  const PciLayout& layout() const { return layout_; }

  // Guest accesses, relative to the ECAM base / absolute in a memory window.
  bool ecam_read(uint64_t offset, unsigned size, uint64_t& value);
  bool ecam_write(uint64_t offset, unsigned size, uint64_t value);
  bool memory_read(uint64_t address, unsigned size, uint64_t& value);
  bool memory_write(uint64_t address, unsigned size, uint64_t value);
  // Recomputes which BARs are decoded (after configuration writes, and after a restore).
  void update_decoding();

  void add_fdt_node(FdtBuilder& fdt, const FdtContext& ctx) const override;

 private:
  struct Decoded {
    uint64_t base, size;
    PciFunction* function;
    unsigned bar;
  };
  // The address-space side of each window.
  class EcamRegion : public memory::MmioDevice {
   public:
    explicit EcamRegion(PciRoot& root) : root_(root) {}
    bool read(uint64_t offset, unsigned size, uint64_t& value) override { return root_.ecam_read(offset, size, value); }
    bool write(uint64_t offset, unsigned size, uint64_t value) override { return root_.ecam_write(offset, size, value); }

   private:
    PciRoot& root_;
  };
  class MemoryRegion : public memory::MmioDevice {
   public:
    MemoryRegion(PciRoot& root, uint64_t base) : root_(root), base_(base) {}
    bool read(uint64_t offset, unsigned size, uint64_t& value) override {
      return root_.memory_read(base_ + offset, size, value);
    }
    bool write(uint64_t offset, unsigned size, uint64_t value) override {
      return root_.memory_write(base_ + offset, size, value);
    }

   private:
    PciRoot& root_;
    uint64_t base_;
  };
  class IoRegion : public memory::MmioDevice {
   public:
    bool read(uint64_t, unsigned, uint64_t& value) override {
      value = ~0ull;
      return true;
    }
    bool write(uint64_t, unsigned, uint64_t) override { return true; }
  };

  PciFunction* config_target(uint64_t offset) const;  // the function an ECAM offset addresses
  std::optional<Decoded> decode(uint64_t address, unsigned size) const;

  PciLayout layout_;
  IntxRouter intx_;
  std::array<std::unique_ptr<PciFunction>, kSlots> slots_;
  EcamRegion ecam_region_{*this};
  MemoryRegion mmio_region_, mmio_high_region_;
  IoRegion pio_region_;
  mutable std::shared_mutex decode_mutex_;
  std::vector<Decoded> decoded_;
};

}  // namespace vessel::devices::pci
