// A device register window in the guest physical address space.
#pragma once
#include <cstdint>

namespace vessel::memory {

class MmioDevice {
 public:
  virtual ~MmioDevice() = default;
  // `offset` is relative to the region base; size is 1, 2, 4 or 8.
  // Returning false makes the access an access fault for the guest.
  virtual bool read(uint64_t offset, unsigned size, uint64_t& value) = 0;
  virtual bool write(uint64_t offset, unsigned size, uint64_t value) = 0;
};

}  // namespace vessel::memory
