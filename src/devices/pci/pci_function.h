// What the PCI root complex needs from a function on its bus: its configuration space and
// the accesses that fall inside its memory BARs. Functions know their own slot's INTx line.
#pragma once
#include <cstdint>

#include "devices/pci/config_space.h"

namespace vessel::devices::pci {

class PciFunction {
 public:
  virtual ~PciFunction() = default;
  virtual ConfigSpace& config() = 0;
  virtual const char* name() const = 0;

  // Configuration accesses from the ECAM window (offset < 4096, size 1, 2 or 4, aligned).
  // A function with registers of its own in configuration space overrides these.
  virtual uint32_t config_read(unsigned offset, unsigned size) { return config().read(offset, size); }
  virtual void config_write(unsigned offset, unsigned size, uint32_t value) { config().write(offset, size, value); }
  // An access at `offset` inside memory BAR `bar` (decoded: memory space enabled, BAR placed
  // in a PCI window). Returning false makes it an access fault.
  virtual bool bar_read(unsigned /*bar*/, uint64_t /*offset*/, unsigned /*size*/, uint64_t& value) {
    value = ~0ull;
    return true;
  }
  virtual bool bar_write(unsigned /*bar*/, uint64_t /*offset*/, unsigned /*size*/, uint64_t /*value*/) { return true; }

  // Snapshot persistence; the default is the configuration space alone.
  virtual void save_state(snapshot::StateWriter& out) { config().save_state(out); }
  virtual bool restore_state(snapshot::StateReader& in) { return config().restore_state(in); }
};

}  // namespace vessel::devices::pci
