// virtio-net with queues built directly in guest RAM: what a well-behaved driver sees, and
// what happens when a guest posts malformed chains, oversize frames or no rx buffers.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>

#include "devices/virtio/net/net_device.h"
#include "devices/virtio/net/offload.h"

namespace vessel::devices::virtio {
namespace {

constexpr uint64_t kRamBase = 0x80000000, kRamSize = 1 << 20;
constexpr uint16_t kQueueSize = 16;
constexpr uint16_t kNext = 1, kWrite = 2;

struct FakeInterrupt : Interrupt {
  void used_buffer() override { ++used; }
  void config_changed() override { ++config; }
  int used = 0, config = 0;
};

struct FakeBackend : net::NetBackend {
  const char* kind() const override { return "fake"; }
  void set_receiver(Receiver r) override { receiver = std::move(r); }
  bool send(const uint8_t* f, size_t n) override {
    sent.emplace_back(f, f + n);
    return true;
  }
  Receiver receiver;
  std::vector<std::vector<uint8_t>> sent;
};

// One queue's rings in guest RAM, filled the way a driver would.
struct TestQueue {
  uint64_t desc, avail, used;
  uint16_t next_desc = 0, avail_idx = 0;
};

class NetDeviceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(ram_.map(kRamBase, kRamSize), "");
    auto backend = std::make_unique<FakeBackend>();
    backend_ = backend.get();
    dev_ = std::make_unique<NetDevice>(std::move(backend), MacAddress{0x52, 0x54, 0, 0x12, 0x34, 0x56});
    queues_.resize(2);
    for (unsigned q = 0; q < 2; ++q) {
      tq_[q] = {kRamBase + q * 0x4000, kRamBase + q * 0x4000 + 0x1000, kRamBase + q * 0x4000 + 0x2000};
      queues_[q].size = kQueueSize;
      queues_[q].desc_addr = tq_[q].desc;
      queues_[q].avail_addr = tq_[q].avail;
      queues_[q].used_addr = tq_[q].used;
      queues_[q].ready = true;
    }
  }
  void activate() {
    std::string error;
    ASSERT_TRUE(dev_->activate(ActiveState{&ram_, &queues_, &irq_, kFeatureVersion1}, error)) << error;
  }
  uint8_t* at(uint64_t addr) { return ram_.at(addr); }
  // Posts one chain of (addr, len, flags) descriptors on queue q.
  void post(unsigned q, std::vector<std::tuple<uint64_t, uint32_t, uint16_t>> bufs) {
    TestQueue& t = tq_[q];
    const uint16_t head = t.next_desc;
    for (size_t i = 0; i < bufs.size(); ++i) {
      const uint16_t d = static_cast<uint16_t>((t.next_desc++) % kQueueSize);
      uint8_t* p = at(t.desc + 16ull * d);
      const auto [addr, len, flags] = bufs[i];
      const uint16_t f = static_cast<uint16_t>(flags | (i + 1 < bufs.size() ? kNext : 0));
      const uint16_t next = static_cast<uint16_t>((d + 1) % kQueueSize);
      memcpy(p, &addr, 8);
      memcpy(p + 8, &len, 4);
      memcpy(p + 12, &f, 2);
      memcpy(p + 14, &next, 2);
    }
    const uint16_t slot = static_cast<uint16_t>(head % kQueueSize);
    memcpy(at(t.avail + 4 + 2 * (t.avail_idx % kQueueSize)), &slot, 2);
    ++t.avail_idx;
    memcpy(at(t.avail + 2), &t.avail_idx, 2);
  }
  uint16_t used_idx(unsigned q) {
    uint16_t v;
    memcpy(&v, at(tq_[q].used + 2), 2);
    return v;
  }
  uint32_t used_len(unsigned q, uint16_t i) {
    uint32_t v;
    memcpy(&v, at(tq_[q].used + 4 + 8 * (i % kQueueSize) + 4), 4);
    return v;
  }
  // A tx chain: 12-byte header then `frame` in one readable buffer at addr.
  void post_tx(uint64_t addr, const std::vector<uint8_t>& frame) {
    memset(at(addr), 0, NetDevice::kHeaderSize);
    memcpy(at(addr + NetDevice::kHeaderSize), frame.data(), frame.size());
    post(NetDevice::kTxQueue, {{addr, static_cast<uint32_t>(NetDevice::kHeaderSize + frame.size()), 0}});
  }
  static std::vector<uint8_t> frame(size_t n, uint8_t fill) { return std::vector<uint8_t>(n, fill); }

  memory::GuestRam ram_;
  std::vector<Virtqueue> queues_;
  TestQueue tq_[2];
  FakeInterrupt irq_;
  FakeBackend* backend_ = nullptr;
  std::unique_ptr<NetDevice> dev_;
  static constexpr uint64_t kData = kRamBase + 0x10000;
};

TEST_F(NetDeviceTest, ConfigHasMacAndLinkUp) {
  uint8_t cfg[10];
  dev_->read_config(0, cfg, sizeof cfg);
  EXPECT_EQ(cfg[0], 0x52);
  EXPECT_EQ(cfg[5], 0x56);
  EXPECT_EQ(cfg[6], 1);  // VIRTIO_NET_S_LINK_UP
  EXPECT_EQ(dev_->device_id(), 1u);
  EXPECT_TRUE(dev_->device_features() & (1ull << 5));
  EXPECT_TRUE(dev_->device_features() & (1ull << 16));
}

TEST_F(NetDeviceTest, TxHandsFrameWithoutHeaderToBackend) {
  activate();
  post_tx(kData, frame(60, 0xab));
  ASSERT_TRUE(dev_->process_queue(NetDevice::kTxQueue));
  ASSERT_EQ(backend_->sent.size(), 1u);
  EXPECT_EQ(backend_->sent[0], frame(60, 0xab));
  EXPECT_EQ(used_idx(NetDevice::kTxQueue), 1);
  EXPECT_EQ(dev_->net_counters().tx_packets, 1u);
  EXPECT_EQ(dev_->net_counters().tx_bytes, 60u);
  EXPECT_GT(irq_.used, 0);
}

TEST_F(NetDeviceTest, TxFrameSplitAcrossDescriptors) {
  activate();
  memset(at(kData), 0, 12);
  memset(at(kData + 0x1000), 1, 30);
  memset(at(kData + 0x2000), 2, 30);
  post(NetDevice::kTxQueue, {{kData, 12, 0}, {kData + 0x1000, 30, 0}, {kData + 0x2000, 30, 0}});
  ASSERT_TRUE(dev_->process_queue(NetDevice::kTxQueue));
  ASSERT_EQ(backend_->sent.size(), 1u);
  std::vector<uint8_t> want = frame(60, 1);
  std::fill(want.begin() + 30, want.end(), 2);
  EXPECT_EQ(backend_->sent[0], want);
}

TEST_F(NetDeviceTest, TxChainTooSmallIsDroppedAndCompleted) {
  activate();
  post(NetDevice::kTxQueue, {{kData, 8, 0}});       // not even a header
  post(NetDevice::kTxQueue, {{kData, 12 + 4, 0}});  // header and a runt frame
  post(NetDevice::kTxQueue, {{kData, 64, kWrite}});  // nothing readable at all
  ASSERT_TRUE(dev_->process_queue(NetDevice::kTxQueue));
  EXPECT_TRUE(backend_->sent.empty());
  EXPECT_EQ(used_idx(NetDevice::kTxQueue), 3);
  EXPECT_EQ(dev_->net_counters().tx_dropped, 3u);
  EXPECT_EQ(dev_->counters.guest_errors, 3u);
  // The queue still works afterwards.
  post_tx(kData, frame(60, 7));
  ASSERT_TRUE(dev_->process_queue(NetDevice::kTxQueue));
  EXPECT_EQ(backend_->sent.size(), 1u);
}

TEST_F(NetDeviceTest, TxOversizeFrameIsDropped) {
  activate();
  // 12 + 65551 bytes: one byte more than the largest frame, spread over two buffers.
  post(NetDevice::kTxQueue, {{kData, 12 + 40000, 0}, {kData + 0x20000, 65551 - 40000, 0}});
  ASSERT_TRUE(dev_->process_queue(NetDevice::kTxQueue));
  EXPECT_TRUE(backend_->sent.empty());
  EXPECT_EQ(dev_->net_counters().tx_dropped, 1u);
  EXPECT_EQ(used_idx(NetDevice::kTxQueue), 1);
  // Exactly the largest frame passes.
  post(NetDevice::kTxQueue, {{kData, 12 + 40000, 0}, {kData + 0x20000, 65550 - 40000, 0}});
  ASSERT_TRUE(dev_->process_queue(NetDevice::kTxQueue));
  ASSERT_EQ(backend_->sent.size(), 1u);
  EXPECT_EQ(backend_->sent[0].size(), 65550u);
}

TEST_F(NetDeviceTest, TxOffloadNotNegotiatedIsDropped) {
  EXPECT_FALSE(dev_->device_features() & 1);  // this back end takes no large frames: no CSUM
  activate();
  post_tx(kData, frame(60, 1));
  at(kData)[0] = net_offload::kFlagNeedsCsum;
  post_tx(kData + 0x1000, frame(60, 1));
  at(kData + 0x1000)[1] = net_offload::kGsoTcpV4;
  ASSERT_TRUE(dev_->process_queue(NetDevice::kTxQueue));
  EXPECT_TRUE(backend_->sent.empty());
  EXPECT_EQ(dev_->net_counters().tx_dropped, 2u);
  EXPECT_EQ(used_idx(NetDevice::kTxQueue), 2);
}

TEST_F(NetDeviceTest, TxBufferOutsideRamBreaksQueueWithoutCrash) {
  activate();
  post(NetDevice::kTxQueue, {{kRamBase + kRamSize - 16, 64, 0}});
  EXPECT_FALSE(dev_->process_queue(NetDevice::kTxQueue));
  EXPECT_TRUE(backend_->sent.empty());
  EXPECT_GT(dev_->counters.guest_errors, 0u);
  // A broken device stops queueing frames for a guest that will not take them.
  backend_->receiver(frame(60, 1).data(), 60);
  EXPECT_EQ(dev_->pending_rx(), 0u);
}

TEST_F(NetDeviceTest, TxDescriptorLoopBreaksQueue) {
  activate();
  // Two descriptors pointing at each other.
  post(NetDevice::kTxQueue, {{kData, 40, 0}, {kData, 40, 0}});
  uint8_t* second = at(tq_[1].desc + 16);
  const uint16_t flags = kNext, next = 0;
  memcpy(second + 12, &flags, 2);
  memcpy(second + 14, &next, 2);
  EXPECT_FALSE(dev_->process_queue(NetDevice::kTxQueue));
  EXPECT_TRUE(backend_->sent.empty());
}

TEST_F(NetDeviceTest, RxWaitsForBuffersThenDelivers) {
  activate();
  backend_->receiver(frame(60, 0x11).data(), 60);
  backend_->receiver(frame(70, 0x22).data(), 70);
  ASSERT_TRUE(dev_->process_queue(NetDevice::kRxQueue));  // no buffers: frames wait
  EXPECT_EQ(dev_->pending_rx(), 2u);
  EXPECT_EQ(used_idx(NetDevice::kRxQueue), 0);

  post(NetDevice::kRxQueue, {{kData, 1526, kWrite}});
  ASSERT_TRUE(dev_->process_queue(NetDevice::kRxQueue));
  EXPECT_EQ(used_idx(NetDevice::kRxQueue), 1);
  EXPECT_EQ(used_len(NetDevice::kRxQueue, 0), 12u + 60);
  uint16_t num_buffers;
  memcpy(&num_buffers, at(kData + 10), 2);
  EXPECT_EQ(num_buffers, 1);
  EXPECT_EQ(at(kData + 12)[0], 0x11);
  EXPECT_EQ(dev_->pending_rx(), 1u);

  // A header and frame split over two writable buffers.
  post(NetDevice::kRxQueue, {{kData + 0x1000, 12, kWrite}, {kData + 0x2000, 1514, kWrite}});
  ASSERT_TRUE(dev_->process_queue(NetDevice::kRxQueue));
  EXPECT_EQ(used_idx(NetDevice::kRxQueue), 2);
  EXPECT_EQ(used_len(NetDevice::kRxQueue, 1), 12u + 70);
  EXPECT_EQ(at(kData + 0x2000)[69], 0x22);
  EXPECT_EQ(dev_->pending_rx(), 0u);
  EXPECT_EQ(dev_->net_counters().rx_packets, 2u);
  EXPECT_EQ(dev_->net_counters().rx_bytes, 130u);

  // A buffer with nothing to deliver stays with the device.
  post(NetDevice::kRxQueue, {{kData, 1526, kWrite}});
  ASSERT_TRUE(dev_->process_queue(NetDevice::kRxQueue));
  EXPECT_EQ(used_idx(NetDevice::kRxQueue), 2);
  backend_->receiver(frame(60, 0x33).data(), 60);
  ASSERT_TRUE(dev_->process_queue(NetDevice::kRxQueue));
  EXPECT_EQ(used_idx(NetDevice::kRxQueue), 3);
}

TEST_F(NetDeviceTest, RxPendingQueueIsBounded) {
  activate();
  for (size_t i = 0; i < NetDevice::kMaxPendingFrames + 100; ++i) backend_->receiver(frame(60, 0).data(), 60);
  EXPECT_EQ(dev_->pending_rx(), NetDevice::kMaxPendingFrames);
  EXPECT_EQ(dev_->net_counters().rx_dropped, 100u);
}

TEST_F(NetDeviceTest, RxRejectsRuntAndOversizeFrames) {
  activate();
  std::vector<uint8_t> big(net::kMaxFrame + 1);
  backend_->receiver(big.data(), big.size());
  backend_->receiver(big.data(), 10);
  EXPECT_EQ(dev_->pending_rx(), 0u);
  EXPECT_EQ(dev_->net_counters().rx_dropped, 2u);
}

TEST_F(NetDeviceTest, RxBufferTooSmallDropsFrameKeepsBuffer) {
  activate();
  post(NetDevice::kRxQueue, {{kData, 40, kWrite}});
  backend_->receiver(frame(60, 1).data(), 60);
  ASSERT_TRUE(dev_->process_queue(NetDevice::kRxQueue));
  EXPECT_EQ(used_idx(NetDevice::kRxQueue), 0);
  EXPECT_EQ(dev_->net_counters().rx_dropped, 1u);
  backend_->receiver(frame(20, 2).data(), 20);  // this one fits
  ASSERT_TRUE(dev_->process_queue(NetDevice::kRxQueue));
  EXPECT_EQ(used_idx(NetDevice::kRxQueue), 1);
  EXPECT_EQ(used_len(NetDevice::kRxQueue, 0), 32u);
}

TEST_F(NetDeviceTest, RxReadOnlyBufferIsNeverWritten) {
  activate();
  memset(at(kData), 0x5a, 1600);
  post(NetDevice::kRxQueue, {{kData, 1600, 0}});  // device-readable: no room for frames
  backend_->receiver(frame(60, 1).data(), 60);
  ASSERT_TRUE(dev_->process_queue(NetDevice::kRxQueue));
  EXPECT_EQ(at(kData)[0], 0x5a);
  EXPECT_EQ(used_idx(NetDevice::kRxQueue), 0);
}

TEST_F(NetDeviceTest, FramesBeforeActivationOrAfterResetAreDropped) {
  backend_->receiver(frame(60, 1).data(), 60);
  EXPECT_EQ(dev_->pending_rx(), 0u);
  activate();
  backend_->receiver(frame(60, 1).data(), 60);
  EXPECT_EQ(dev_->pending_rx(), 1u);
  dev_->reset();
  EXPECT_EQ(dev_->pending_rx(), 0u);
  backend_->receiver(frame(60, 1).data(), 60);
  EXPECT_EQ(dev_->pending_rx(), 0u);
  EXPECT_EQ(dev_->net_counters().rx_dropped, 2u);
}

TEST_F(NetDeviceTest, RxQueueNotReadyDropsFrames) {
  queues_[NetDevice::kRxQueue] = Virtqueue{};  // never set up by the driver
  activate();
  backend_->receiver(frame(60, 1).data(), 60);
  EXPECT_EQ(dev_->pending_rx(), 0u);
  post_tx(kData, frame(60, 1));  // tx still works and does not touch the missing rx queue
  EXPECT_TRUE(dev_->process_queue(NetDevice::kTxQueue));
  EXPECT_EQ(backend_->sent.size(), 1u);
}

}  // namespace
}  // namespace vessel::devices::virtio

namespace vessel::devices::virtio {
namespace {

// Sums 16-bit words: a correct checksum over its span (with the field filled in) folds to 0xffff.
uint16_t ones_sum(const uint8_t* p, size_t len, uint32_t sum = 0) {
  for (; len >= 2; p += 2, len -= 2) sum += uint32_t{p[0]} << 8 | p[1];
  if (len) sum += uint32_t{p[0]} << 8;
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(sum);
}

// Ethernet + IPv4 (20 bytes) + TCP (20 bytes) + payload, with garbage in lengths and checksums.
std::vector<uint8_t> tcp_frame(size_t payload) {
  std::vector<uint8_t> f(14 + 20 + 20 + payload);
  f[12] = 0x08;
  f[14] = 0x45;
  f[14 + 9] = 6;
  const uint8_t src[4] = {10, 0, 2, 15}, dst[4] = {10, 0, 2, 2};
  memcpy(&f[14 + 12], src, 4);
  memcpy(&f[14 + 16], dst, 4);
  f[14 + 2] = f[14 + 3] = 0x77;    // wrong total length
  f[14 + 10] = f[14 + 11] = 0x55;  // wrong IP checksum
  f[34 + 12] = 0x50;               // data offset 5
  f[34 + 16] = 0x12;               // a seed the GSO path must ignore
  for (size_t i = 0; i < payload; ++i) f[54 + i] = static_cast<uint8_t>(i * 7 + 3);
  return f;
}

TEST(NetOffload, TsoSegmentGetsValidLengthsAndChecksums) {
  auto f = tcp_frame(60000);
  ASSERT_TRUE(net_offload::finish_tx(f.data(), f.size(), net_offload::kFlagNeedsCsum, net_offload::kGsoTcpV4, 34, 16));
  const size_t ip_len = f.size() - 14;
  EXPECT_EQ((f[16] << 8 | f[17]), static_cast<int>(ip_len));
  EXPECT_EQ(ones_sum(&f[14], 20), 0xffff);
  const uint32_t pseudo = ones_sum(&f[26], 8) + 6 + static_cast<uint32_t>(ip_len - 20);
  EXPECT_EQ(ones_sum(&f[34], ip_len - 20, pseudo), 0xffff);
}

TEST(NetOffload, PartialChecksumIsCompleted) {
  auto f = tcp_frame(101);  // odd length
  const uint32_t pseudo = ones_sum(&f[26], 8) + 6 + 20 + 101;
  const uint16_t seed = ones_sum(nullptr, 0, pseudo);
  f[50] = static_cast<uint8_t>(seed >> 8);
  f[51] = static_cast<uint8_t>(seed);
  ASSERT_TRUE(net_offload::finish_tx(f.data(), f.size(), net_offload::kFlagNeedsCsum, net_offload::kGsoNone, 34, 16));
  EXPECT_EQ(ones_sum(&f[34], 20 + 101, pseudo), 0xffff);
}

TEST(NetOffload, LyingHeadersAreRefused) {
  auto f = tcp_frame(10);
  EXPECT_FALSE(net_offload::finish_tx(f.data(), f.size(), net_offload::kFlagNeedsCsum, net_offload::kGsoNone,
                                      static_cast<uint16_t>(f.size() - 1), 0));
  EXPECT_FALSE(net_offload::finish_tx(f.data(), f.size(), net_offload::kFlagNeedsCsum, net_offload::kGsoNone, 0xffff,
                                      0xffff));
  EXPECT_FALSE(net_offload::finish_tx(f.data(), f.size(), 0, 4 /* UDP */, 0, 0));
  EXPECT_FALSE(net_offload::finish_tx(f.data(), 30, 0, net_offload::kGsoTcpV4, 0, 0));  // truncated
  f[14 + 9] = 17;
  EXPECT_FALSE(net_offload::finish_tx(f.data(), f.size(), 0, net_offload::kGsoTcpV4, 0, 0));  // not TCP
  EXPECT_TRUE(net_offload::finish_tx(f.data(), f.size(), 0, net_offload::kGsoNone, 0, 0));    // nothing asked
}

}  // namespace
}  // namespace vessel::devices::virtio
