#include "devices/sifive_test.h"

namespace vessel::devices {

bool SifiveTest::write(uint64_t offset, unsigned size, uint64_t value) {
  if (offset != 0 || size < 2) return true;
  switch (value & 0xffff) {
    case 0x5555: request_.store(Request::Poweroff, std::memory_order_release); break;
    case 0x3333:  // FAIL with the exit code in the upper 16 bits
      code_.store(static_cast<int>((value >> 16) & 0xffff), std::memory_order_relaxed);
      request_.store(Request::Fail, std::memory_order_release);
      break;
    case 0x7777: request_.store(Request::Reboot, std::memory_order_release); break;
    default: break;
  }
  return true;
}

}  // namespace vessel::devices
