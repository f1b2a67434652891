// virtio-net rate limits, with a tx queue built in guest RAM as a driver would: over the limit
// the device stops taking frames (they stay in the ring) and its limiter's timer says when to
// continue; lifting the limit lets everything through.
#include <gtest/gtest.h>
#include <poll.h>

#include <cstring>

#include "devices/virtio/net/net_device.h"

namespace vessel::devices::virtio {
namespace {

constexpr uint64_t kRamBase = 0x80000000, kRamSize = 1 << 20;
constexpr uint16_t kQueueSize = 16;

struct NoInterrupt : Interrupt {
  void used_buffer() override {}
  void config_changed() override {}
};

struct CountingBackend : net::NetBackend {
  const char* kind() const override { return "counting"; }
  void set_receiver(Receiver) override {}
  bool send(const uint8_t*, size_t) override {
    ++sent;
    return true;
  }
  int sent = 0;
};

TEST(NetLimits, TxPacketsPerSecond) {
  memory::GuestRam ram;
  ASSERT_EQ(ram.map(kRamBase, kRamSize), "");
  auto backend = std::make_unique<CountingBackend>();
  CountingBackend* b = backend.get();
  NetDevice dev(std::move(backend), MacAddress{0x52, 0x54, 0, 0x12, 0x34, 0x56});
  std::vector<Virtqueue> queues(2);
  const uint64_t desc = kRamBase, avail = kRamBase + 0x1000, used = kRamBase + 0x2000, data = kRamBase + 0x10000;
  Virtqueue& tx = queues[NetDevice::kTxQueue];
  tx.size = kQueueSize;
  tx.desc_addr = desc;
  tx.avail_addr = avail;
  tx.used_addr = used;
  tx.ready = true;
  // Eight 60-byte frames, one descriptor each.
  for (uint16_t i = 0; i < 8; ++i) {
    const uint64_t addr = data + 0x100 * i;
    const uint32_t len = NetDevice::kHeaderSize + 60;
    memset(ram.at(addr), 0, len);
    uint8_t* d = ram.at(desc + 16 * i);
    memcpy(d, &addr, 8);
    memcpy(d + 8, &len, 4);
    memset(d + 12, 0, 4);
    memcpy(ram.at(avail + 4 + 2 * i), &i, 2);
  }
  const uint16_t count = 8;
  memcpy(ram.at(avail + 2), &count, 2);
  NoInterrupt irq;
  std::string error;
  ASSERT_TRUE(dev.activate(ActiveState{&ram, &queues, &irq, kFeatureVersion1}, error)) << error;

  dev.tx_limiter().set({0, 5});  // 5 packets/s: a bucket of one packet
  dev.tx_limiter().clear_timer();
  ASSERT_TRUE(dev.process_queue(NetDevice::kTxQueue));
  EXPECT_EQ(b->sent, 1);
  EXPECT_EQ(dev.tx_limiter().throttled(), 1u);
  // The timer fires when the next packet may go (0.2 s); then one more goes.
  pollfd p{dev.tx_limiter().timer_fd(), POLLIN, 0};
  ASSERT_EQ(poll(&p, 1, 2000), 1);
  dev.tx_limiter().clear_timer();
  ASSERT_TRUE(dev.process_queue(NetDevice::kTxQueue));
  EXPECT_EQ(b->sent, 2);
  // Lifted: the rest go at once.
  dev.tx_limiter().set({0, 0});
  ASSERT_TRUE(dev.process_queue(NetDevice::kTxQueue));
  EXPECT_EQ(b->sent, 8);
  EXPECT_EQ(dev.net_counters().tx_packets, 8u);
}

}  // namespace
}  // namespace vessel::devices::virtio
