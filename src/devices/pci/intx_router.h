// The four legacy INTx wires from the PCI bus into the interrupt controller, each shared by
// the functions whose swizzled pin lands on it (QEMU virt's gpex: wire = (slot + pin - 1) % 4,
// PLIC sources first..first+3). A wire is asserted while any function drives it.
#pragma once
#include <array>
#include <cstdint>
#include <mutex>

#include "devices/irq_line.h"

namespace vessel::devices::pci {

class IntxRouter : public InterruptController {
 public:
  static constexpr unsigned kWires = 4, kSlots = 32;
  IntxRouter(InterruptController* controller, unsigned first_source)
      : controller_(controller), first_source_(first_source) {}

  // The wire (0..3) of `slot`'s pin (1..4 = INTA..INTD).
  static unsigned wire(unsigned slot, unsigned pin) { return (slot + pin - 1) % kWires; }
  unsigned source(unsigned wire) const { return first_source_ + wire; }
  // A line for a function in `slot` driving INTA, for its transport.
  IrqLine line(unsigned slot) { return IrqLine(this, slot); }

  // `source` is the slot of a function driving INTA.
  void set_irq(unsigned slot, bool level) override;

 private:
  InterruptController* controller_;
  unsigned first_source_;
  std::mutex mutex_;
  std::array<uint32_t, kWires> asserted_{};  // bit per slot
};

}  // namespace vessel::devices::pci
