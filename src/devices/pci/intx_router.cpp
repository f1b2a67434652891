#include "devices/pci/intx_router.h"

namespace vessel::devices::pci {

void IntxRouter::set_irq(unsigned slot, bool level) {
  if (slot >= kSlots) return;
  const unsigned w = wire(slot, 1);
  std::lock_guard lock(mutex_);
  if (level)
    asserted_[w] |= 1u << slot;
  else
    asserted_[w] &= ~(1u << slot);
  if (controller_) controller_->set_irq(source(w), asserted_[w] != 0);
}

}  // namespace vessel::devices::pci
