// virtio-vsock's queues with packets built by hand in guest RAM: malformed tx packets and rx
// buffers too small for a header are counted and answered, never fatal and never followed
// outside RAM; the config space holds the CID; a restore sends TRANSPORT_RESET.
#include "devices/virtio/vsock/vsock_device.h"

#include <gtest/gtest.h>

#include <cstring>

#include "snapshot/state_stream.h"

namespace vessel::devices::virtio {
namespace {

using vsock::Header;

constexpr uint64_t kRam = 0x80000000, kBuffers = kRam + 0x10000;
constexpr uint16_t kNext = 1, kWrite = 2, kQueueSize = 8;

class NullInterrupt : public Interrupt {
 public:
  void used_buffer() override { ++used; }
  void config_changed() override {}
  int used = 0;
};

class VsockDev : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(ram_.map(kRam, 1 << 20).empty());
    auto mux = vsock::Muxer::create(kCid, "");
    ASSERT_TRUE(mux) << mux.error();
    dev_ = std::make_unique<VsockDevice>(std::move(mux.value()));
    queues_.assign(3, Virtqueue{});
    for (unsigned q = 0; q < 3; ++q) {
      queues_[q].size = kQueueSize;
      queues_[q].desc_addr = desc_base(q);
      queues_[q].avail_addr = desc_base(q) + 0x1000;
      queues_[q].used_addr = desc_base(q) + 0x2000;
      queues_[q].ready = true;
    }
    std::string err;
    ASSERT_TRUE(dev_->activate({&ram_, &queues_, &irq_, 0}, err)) << err;
  }
  static uint64_t desc_base(unsigned q) { return kRam + 0x1000 + q * 0x3000ull; }
  // Makes a chain of one or two buffers available on queue q; returns the buffer addresses.
  void post(unsigned q, uint64_t addr, uint32_t len, bool writable, uint64_t addr2 = 0, uint32_t len2 = 0) {
    const uint16_t head = static_cast<uint16_t>((posted_[q] * 2) % kQueueSize);
    auto desc = [&](uint16_t i, uint64_t a, uint32_t l, uint16_t flags, uint16_t next) {
      uint8_t* p = ram_.at(desc_base(q) + 16ull * i);
      memcpy(p, &a, 8);
      memcpy(p + 8, &l, 4);
      memcpy(p + 12, &flags, 2);
      memcpy(p + 14, &next, 2);
    };
    const uint16_t w = writable ? kWrite : 0;
    if (len2) {
      desc(head, addr, len, kNext | w, static_cast<uint16_t>(head + 1));
      desc(static_cast<uint16_t>(head + 1), addr2, len2, w, 0);
    } else {
      desc(head, addr, len, w, 0);
    }
    const uint64_t avail = desc_base(q) + 0x1000;
    uint16_t idx;
    memcpy(&idx, ram_.at(avail + 2), 2);
    memcpy(ram_.at(avail + 4 + 2 * (idx % kQueueSize)), &head, 2);
    ++idx;
    memcpy(ram_.at(avail + 2), &idx, 2);
    ++posted_[q];
  }
  uint16_t used_idx(unsigned q) {
    uint16_t idx;
    memcpy(&idx, ram_.at(desc_base(q) + 0x2000 + 2), 2);
    return idx;
  }
  uint32_t used_len(unsigned q, uint16_t n) {
    uint32_t len;
    memcpy(&len, ram_.at(desc_base(q) + 0x2000 + 4 + 8 * (n % kQueueSize) + 4), 4);
    return len;
  }
  Header header(uint16_t op, uint32_t len = 0) const {
    Header h;
    h.src_cid = kCid;
    h.dst_cid = vsock::kHostCid;
    h.src_port = 1000;
    h.dst_port = 2000;
    h.op = op;
    h.len = len;
    return h;
  }
  void put(uint64_t addr, const Header& h) { memcpy(ram_.at(addr), &h, sizeof h); }
  Header rx_header(uint64_t addr) {
    Header h;
    memcpy(&h, ram_.at(addr), sizeof h);
    return h;
  }

  static constexpr uint64_t kCid = 5;
  memory::GuestRam ram_;
  std::vector<Virtqueue> queues_;
  NullInterrupt irq_;
  std::unique_ptr<VsockDevice> dev_;
  unsigned posted_[3] = {};
};

TEST_F(VsockDev, ConfigSpaceHoldsTheCid) {
  uint8_t b[8];
  dev_->read_config(0, b, 8);
  uint64_t cid;
  memcpy(&cid, b, 8);
  EXPECT_EQ(cid, kCid);
  dev_->read_config(6, b, 4);  // past the end reads zeros
  EXPECT_EQ(b[0] | b[1] | b[2] | b[3], 0);
}

TEST_F(VsockDev, MalformedTxPacketsAreCountedAndAnswered) {
  // Too short for a header; a length its buffers do not back; a length over 64 KiB; a
  // control packet claiming a payload.
  post(VsockDevice::kTxQueue, kBuffers, 10, false);
  put(kBuffers + 0x100, header(vsock::kOpRw, 1000));
  post(VsockDevice::kTxQueue, kBuffers + 0x100, sizeof(Header), false, kBuffers + 0x200, 10);
  put(kBuffers + 0x400, header(vsock::kOpRw, 0xffffffffu));
  post(VsockDevice::kTxQueue, kBuffers + 0x400, sizeof(Header), false);
  put(kBuffers + 0x600, header(vsock::kOpRequest, 8));
  post(VsockDevice::kTxQueue, kBuffers + 0x600, sizeof(Header) + 8, false);
  EXPECT_TRUE(dev_->process_queue(VsockDevice::kTxQueue));
  EXPECT_EQ(used_idx(VsockDevice::kTxQueue), 4);  // all returned to the driver
  EXPECT_EQ(dev_->counters.guest_errors, 4u);

  // Each packet with a header got an RST (no such connection): one per rx buffer. A buffer
  // too small for a header is returned empty and counted.
  post(VsockDevice::kRxQueue, kBuffers + 0x1000, 20, true);
  for (int i = 0; i < 3; ++i) post(VsockDevice::kRxQueue, kBuffers + 0x2000 + 0x1000 * i, 4096, true);
  EXPECT_TRUE(dev_->process_queue(VsockDevice::kRxQueue));
  ASSERT_EQ(used_idx(VsockDevice::kRxQueue), 4);
  EXPECT_EQ(used_len(VsockDevice::kRxQueue, 0), 0u);
  EXPECT_EQ(dev_->counters.guest_errors, 5u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(used_len(VsockDevice::kRxQueue, static_cast<uint16_t>(i + 1)), sizeof(Header));
    const Header h = rx_header(kBuffers + 0x2000 + 0x1000 * i);
    EXPECT_EQ(h.op, vsock::kOpRst);
    EXPECT_EQ(h.dst_cid, kCid);
    EXPECT_EQ(h.dst_port, 1000u);
    EXPECT_EQ(h.src_port, 2000u);
  }
}

TEST_F(VsockDev, GuestConnectWithoutHostSocketIsReset) {
  put(kBuffers, header(vsock::kOpRequest));
  post(VsockDevice::kTxQueue, kBuffers, sizeof(Header), false);
  post(VsockDevice::kRxQueue, kBuffers + 0x1000, 4096, true);
  EXPECT_TRUE(dev_->process_queue(VsockDevice::kTxQueue));
  ASSERT_EQ(used_idx(VsockDevice::kRxQueue), 1);
  EXPECT_EQ(rx_header(kBuffers + 0x1000).op, vsock::kOpRst);
  EXPECT_EQ(dev_->counters.guest_errors, 0u);  // a refusal, not a guest error
}

TEST_F(VsockDev, RestoreKeepsTheCidAndSendsTransportReset) {
  snapshot::StateWriter w;
  dev_->save_state(w);
  {
    snapshot::StateReader r(w.data().data(), w.data().size(), "vsock");
    EXPECT_TRUE(dev_->restore_state(r) && r.finish());
  }
  memset(ram_.at(kBuffers), 0xaa, 8);
  post(VsockDevice::kEventQueue, kBuffers, 8, true);
  EXPECT_TRUE(dev_->process_queue(VsockDevice::kEventQueue));
  ASSERT_EQ(used_idx(VsockDevice::kEventQueue), 1);
  EXPECT_EQ(used_len(VsockDevice::kEventQueue, 0), 4u);
  uint32_t id;
  memcpy(&id, ram_.at(kBuffers), 4);
  EXPECT_EQ(id, 0u);  // VIRTIO_VSOCK_EVENT_TRANSPORT_RESET
  // Only once.
  post(VsockDevice::kEventQueue, kBuffers + 0x100, 8, true);
  EXPECT_TRUE(dev_->process_queue(VsockDevice::kEventQueue));
  EXPECT_EQ(used_idx(VsockDevice::kEventQueue), 1);

  // A snapshot of a VM with another CID is refused, saying why.
  snapshot::StateWriter other;
  other.u64(kCid + 1);
  snapshot::StateReader r(other.data().data(), other.data().size(), "vsock");
  EXPECT_FALSE(dev_->restore_state(r));
  EXPECT_NE(r.error().find("CID"), std::string::npos) << r.error();
}

}  // namespace
}  // namespace vessel::devices::virtio
