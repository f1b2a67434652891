// Virtqueues built by hand in guest RAM, including everything a hostile guest could write.
#include <gtest/gtest.h>

#include <cstring>

#include "devices/virtio/virtqueue.h"

namespace vessel::devices::virtio {
namespace {

constexpr uint64_t kRam = 0x80000000, kDesc = kRam + 0x1000, kAvail = kRam + 0x2000, kUsed = kRam + 0x3000;
constexpr uint16_t kNext = 1, kWrite = 2, kIndirect = 4;

class Queue : public ::testing::Test {
 protected:
  Queue() {
    EXPECT_TRUE(ram_.map(kRam, 1 << 20).empty());
    q_.size = 8;
    q_.desc_addr = kDesc;
    q_.avail_addr = kAvail;
    q_.used_addr = kUsed;
    q_.ready = true;
  }
  void desc(uint64_t table, uint16_t i, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next) {
    uint8_t* p = ram_.at(table + 16ull * i);
    memcpy(p, &addr, 8);
    memcpy(p + 8, &len, 4);
    memcpy(p + 12, &flags, 2);
    memcpy(p + 14, &next, 2);
  }
  void offer(uint16_t head) {
    uint16_t idx;
    memcpy(&idx, ram_.at(kAvail + 2), 2);
    memcpy(ram_.at(kAvail + 4 + 2 * (idx % q_.size)), &head, 2);
    ++idx;
    memcpy(ram_.at(kAvail + 2), &idx, 2);
  }
  uint16_t used_idx() {
    uint16_t v;
    memcpy(&v, ram_.at(kUsed + 2), 2);
    return v;
  }
  memory::GuestRam ram_;
  Virtqueue q_;
  Chain chain_;
  std::string error_;
};

TEST_F(Queue, EmptyQueue) { EXPECT_EQ(q_.pop(ram_, chain_, error_), Virtqueue::Pop::Empty); }

TEST_F(Queue, ChainIsFlattenedInOrder) {
  desc(kDesc, 0, kRam + 0x8000, 16, kNext, 3);
  desc(kDesc, 3, kRam + 0x9000, 512, kNext | kWrite, 5);
  desc(kDesc, 5, kRam + 0xa000, 1, kWrite, 0);
  offer(0);
  ASSERT_EQ(q_.pop(ram_, chain_, error_), Virtqueue::Pop::Chain) << error_;
  ASSERT_EQ(chain_.buffers.size(), 3u);
  EXPECT_EQ(chain_.readable_bytes(), 16u);
  EXPECT_EQ(chain_.writable_bytes(), 513u);
  q_.push(ram_, chain_.head, 513);
  EXPECT_EQ(used_idx(), 1);
  uint32_t id, len;
  memcpy(&id, ram_.at(kUsed + 4), 4);
  memcpy(&len, ram_.at(kUsed + 8), 4);
  EXPECT_EQ(id, 0u);
  EXPECT_EQ(len, 513u);
}

TEST_F(Queue, IndirectTable) {
  const uint64_t table = kRam + 0x4008;  // indirect tables need no particular alignment
  desc(table, 0, kRam + 0x8000, 16, kNext, 1);
  desc(table, 1, kRam + 0x9000, 100, kWrite, 0);
  desc(kDesc, 2, table, 32, kIndirect, 0);
  offer(2);
  ASSERT_EQ(q_.pop(ram_, chain_, error_), Virtqueue::Pop::Chain) << error_;
  EXPECT_EQ(chain_.buffers.size(), 2u);
  EXPECT_EQ(chain_.head, 2);
}

TEST_F(Queue, LoopIsRefused) {
  desc(kDesc, 0, kRam + 0x8000, 16, kNext, 1);
  desc(kDesc, 1, kRam + 0x8000, 16, kNext, 0);
  offer(0);
  EXPECT_EQ(q_.pop(ram_, chain_, error_), Virtqueue::Pop::Broken);
  EXPECT_NE(error_.find("loop"), std::string::npos) << error_;
}

TEST_F(Queue, BufferOutsideRamIsRefused) {
  desc(kDesc, 0, 0x10000000, 16, 0, 0);  // device memory, not RAM
  offer(0);
  EXPECT_EQ(q_.pop(ram_, chain_, error_), Virtqueue::Pop::Broken);
  desc(kDesc, 0, kRam + (1 << 20) - 8, 16, 0, 0);  // runs off the end of RAM
  EXPECT_EQ(q_.pop(ram_, chain_, error_), Virtqueue::Pop::Broken);
  desc(kDesc, 0, ~0ull - 4, 16, 0, 0);  // wraps around
  EXPECT_EQ(q_.pop(ram_, chain_, error_), Virtqueue::Pop::Broken);
}

// Found by fuzz_virtio_devices: an empty buffer may name any address (even one outside RAM);
// the chain's readers and writers must skip it rather than form a host pointer from it
// (undefined behaviour that UBSan reports in `make test SANITIZE=address,undefined`).
TEST_F(Queue, EmptyBuffersOutsideRamAreSkipped) {
  desc(kDesc, 0, 0, 0, kNext, 1);                       // empty, at guest address 0
  desc(kDesc, 1, kRam + 0x8000, 4, kNext, 2);
  desc(kDesc, 2, ~0ull - 0xfff, 0, kNext | kWrite, 3);  // empty, at the top of the address space
  desc(kDesc, 3, kRam + 0x9000, 4, kWrite, 0);
  memcpy(ram_.at(kRam + 0x8000), "ping", 4);
  offer(0);
  ASSERT_EQ(q_.pop(ram_, chain_, error_), Virtqueue::Pop::Chain) << error_;
  ASSERT_EQ(chain_.buffers.size(), 4u);
  char in[8] = {};
  ChainReader reader(ram_, chain_);
  EXPECT_EQ(reader.read(in, sizeof in), 4u);
  EXPECT_EQ(std::string(in, 4), "ping");
  EXPECT_EQ(reader.remaining(), 0u);
  ChainWriter writer(ram_, chain_);
  EXPECT_EQ(writer.write("pong", 4), 4u);
  EXPECT_EQ(memcmp(ram_.at(kRam + 0x9000), "pong", 4), 0);
}

TEST_F(Queue, BadIndicesAreRefused) {
  desc(kDesc, 0, kRam + 0x8000, 16, kNext, 9);  // next beyond the table
  offer(0);
  EXPECT_EQ(q_.pop(ram_, chain_, error_), Virtqueue::Pop::Broken);
  Virtqueue q2 = q_;
  uint16_t head = 12;  // head beyond the table
  memcpy(ram_.at(kAvail + 4), &head, 2);
  EXPECT_EQ(q2.pop(ram_, chain_, error_), Virtqueue::Pop::Broken);
  uint16_t far = 100;  // the driver claims 100 new entries in a queue of 8
  memcpy(ram_.at(kAvail + 2), &far, 2);
  EXPECT_EQ(q2.pop(ram_, chain_, error_), Virtqueue::Pop::Broken);
}

TEST_F(Queue, MalformedIndirectTablesAreRefused) {
  const uint64_t table = kRam + 0x4000;
  desc(kDesc, 0, table, 24, kIndirect, 0);  // not a multiple of 16
  offer(0);
  EXPECT_EQ(q_.pop(ram_, chain_, error_), Virtqueue::Pop::Broken);
  desc(table, 0, table, 16, kIndirect, 0);  // nested
  desc(kDesc, 0, table, 16, kIndirect, 0);
  EXPECT_EQ(q_.pop(ram_, chain_, error_), Virtqueue::Pop::Broken);
  desc(kDesc, 0, table, 16, kIndirect | kNext, 1);  // INDIRECT with NEXT
  EXPECT_EQ(q_.pop(ram_, chain_, error_), Virtqueue::Pop::Broken);
}

TEST_F(Queue, RingPlacementIsValidated) {
  EXPECT_TRUE(q_.validate(ram_, error_)) << error_;
  Virtqueue bad = q_;
  bad.size = 6;  // not a power of two
  EXPECT_FALSE(bad.validate(ram_, error_));
  bad = q_;
  bad.used_addr = kRam + (1 << 20) - 8;  // ring runs past RAM
  EXPECT_FALSE(bad.validate(ram_, error_));
  bad = q_;
  bad.desc_addr = kDesc + 8;  // misaligned
  EXPECT_FALSE(bad.validate(ram_, error_));
}

TEST_F(Queue, EventIndexSuppressesInterrupts) {
  q_.set_event_idx(true);
  desc(kDesc, 0, kRam + 0x8000, 16, 0, 0);
  uint16_t used_event = 5;  // the driver wants an interrupt only after used index 5
  memcpy(ram_.at(kAvail + 4 + 2 * q_.size), &used_event, 2);
  offer(0);
  ASSERT_EQ(q_.pop(ram_, chain_, error_), Virtqueue::Pop::Chain);
  q_.push(ram_, 0, 0);
  EXPECT_FALSE(q_.needs_interrupt(ram_));
  used_event = 1;  // now: interrupt once the entry at used index 1 is written
  memcpy(ram_.at(kAvail + 4 + 2 * q_.size), &used_event, 2);
  offer(0);
  ASSERT_EQ(q_.pop(ram_, chain_, error_), Virtqueue::Pop::Chain);
  q_.push(ram_, 0, 0);
  EXPECT_EQ(used_idx(), 2);
  EXPECT_TRUE(q_.needs_interrupt(ram_));
}

}  // namespace
}  // namespace vessel::devices::virtio
