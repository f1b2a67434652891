// Snapshot persistence of a configuration space: the guest-writable bits (command register,
// BAR addresses, interrupt line, writable capability fields) with the layout they belong to.
#include "devices/pci/config_space.h"
#include "snapshot/state_stream.h"

namespace vessel::devices::pci {

void ConfigSpace::save_state(snapshot::StateWriter& out) const {
  std::lock_guard lock(mutex_);
  out.raw(bytes_.data(), kSize);
}

bool ConfigSpace::restore_state(snapshot::StateReader& in) {
  std::array<uint8_t, kSize> saved{};
  in.raw(saved.data(), kSize);
  if (!in.ok()) return false;
  std::lock_guard lock(mutex_);
  // The read-only bytes describe the device (IDs, BAR types, capabilities): they must match.
  for (unsigned i = 0; i < kSize; ++i)
    if ((saved[i] & ~writable_[i]) != (bytes_[i] & ~writable_[i]) && i != cfg::kStatus) {
      in.fail("PCI configuration space differs from the device's at offset " + std::to_string(i));
      return false;
    }
  for (unsigned i = 0; i < kSize; ++i) bytes_[i] = static_cast<uint8_t>((bytes_[i] & ~writable_[i]) | (saved[i] & writable_[i]));
  return true;
}

}  // namespace vessel::devices::pci
