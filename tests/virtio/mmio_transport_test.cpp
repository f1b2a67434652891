// The virtio-mmio transport's registers as a hostile driver can write them.
#include <gtest/gtest.h>

#include "common/event_loop.h"
#include "devices/virtio/mmio_transport.h"
#include "devices/virtio/rng/rng_device.h"

namespace vessel::devices::virtio {
namespace {

constexpr uint64_t kRam = 0x80000000;

class Transport : public ::testing::Test {
 protected:
  Transport() {
    EXPECT_TRUE(ram_.map(kRam, 1 << 20).empty());
    transport_ = std::make_unique<MmioTransport>(0x10001000, IrqLine{}, ram_, std::make_unique<RngDevice>(), loop_);
  }
  void w(uint64_t offset, uint32_t value) { ASSERT_TRUE(transport_->write(offset, 4, value)); }
  // A driver's setup of the rng queue (virtio-mmio v2), up to DRIVER_OK.
  void set_up() {
    w(0x070, 1);
    w(0x070, 1 | 2);
    w(0x024, 1);
    w(0x020, 1);  // VERSION_1
    w(0x070, 1 | 2 | 8);
    w(0x030, 0);
    w(0x038, 8);
    w(0x080, kRam + 0x1000);
    w(0x090, kRam + 0x2000);
    w(0x0a0, kRam + 0x3000);
    w(0x044, 1);
    w(0x070, 1 | 2 | 8 | 4);
  }

  memory::GuestRam ram_;
  EventLoop loop_;
  std::unique_ptr<MmioTransport> transport_;
};

// Found by fuzz_virtio_devices: a status write that cleared DRIVER_OK (without the reset that
// 0 asks for) kept the device live but let the driver move its rings anywhere, outside guest
// RAM included; the next notification then had the device use them unchecked.
TEST_F(Transport, ClearingDriverOkWithoutResetIsRefused) {
  set_up();
  ASSERT_EQ(transport_->status(), 15u);
  w(0x070, 1 | 2);  // DRIVER_OK and FEATURES_OK cleared
  EXPECT_EQ(transport_->status(), 15u);
  EXPECT_EQ(transport_->guest_errors(), 1u);
  w(0x044, 0);  // queue no longer ready...
  w(0x080, 0x1000);  // ...and its rings moved below RAM
  w(0x090, 0x2000);
  w(0x0a0, 0x3000);
  w(0x044, 1);
  w(0x050, 0);  // notify
  loop_.run_ready();
  uint64_t ready = 0;
  ASSERT_TRUE(transport_->read(0x044, 4, ready));
  EXPECT_EQ(ready, 1u);
  EXPECT_EQ(transport_->status(), 15u);
  // A reset still works, and the device comes up again.
  w(0x070, 0);
  EXPECT_EQ(transport_->status(), 0u);
  set_up();
  EXPECT_EQ(transport_->status(), 15u);
}

}  // namespace
}  // namespace vessel::devices::virtio
