// virtio-blk requests built by hand: normal I/O, flush, GET_ID, and malformed or
// out-of-range requests that must fail with a status, never touching memory outside RAM.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>
#include <fstream>

#include "devices/virtio/block/block_device.h"
#include "storage/open_disk.h"

namespace vessel::devices::virtio {
namespace {

constexpr uint64_t kRam = 0x80000000, kDesc = kRam + 0x1000, kAvail = kRam + 0x2000, kUsed = kRam + 0x3000;
constexpr uint64_t kHeader = kRam + 0x10000, kData = kRam + 0x20000, kStatus = kRam + 0x30000;
constexpr uint16_t kNext = 1, kWrite = 2;

class NullInterrupt : public Interrupt {
 public:
  void used_buffer() override { ++used; }
  void config_changed() override {}
  int used = 0;
};

class Blk : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(ram_.map(kRam, 1 << 20).empty());
    path_ = testing::TempDir() + "/vessel-blk-test-" + std::to_string(getpid()) + ".raw";
    {
      std::ofstream f(path_, std::ios::binary | std::ios::trunc);
      std::string sector(512, 0);
      for (int i = 0; i < 16; ++i) {
        sector.assign(512, static_cast<char>('A' + i));
        f << sector;
      }
    }
    open(false);
  }
  void TearDown() override { unlink(path_.c_str()); }
  void open(bool read_only) {
    auto img = storage::open_disk(path_, std::nullopt, read_only);
    ASSERT_TRUE(img) << img.error();
    dev_ = std::make_unique<BlockDevice>(std::move(img.value()), read_only, "serial-1234");
    queues_.assign(1, Virtqueue{});
    queues_[0].size = 8;
    queues_[0].desc_addr = kDesc;
    queues_[0].avail_addr = kAvail;
    queues_[0].used_addr = kUsed;
    queues_[0].ready = true;
    std::string err;
    ASSERT_TRUE(dev_->activate({&ram_, &queues_, &irq_, 0}, err));
  }
  void desc(uint16_t i, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next) {
    uint8_t* p = ram_.at(kDesc + 16ull * i);
    memcpy(p, &addr, 8);
    memcpy(p + 8, &len, 4);
    memcpy(p + 12, &flags, 2);
    memcpy(p + 14, &next, 2);
  }
  // Submits header(type, sector) + data (len bytes, device-writable for reads) + status.
  uint8_t submit(uint32_t type, uint64_t sector, uint32_t len, bool data_writable) {
    memcpy(ram_.at(kHeader), &type, 4);
    memset(ram_.at(kHeader + 4), 0, 4);
    memcpy(ram_.at(kHeader + 8), &sector, 8);
    *ram_.at(kStatus) = 0xff;
    desc(0, kHeader, 16, kNext, 1);
    if (len) {
      desc(1, kData, len, kNext | (data_writable ? kWrite : 0), 2);
      desc(2, kStatus, 1, kWrite, 0);
    } else {
      desc(1, kStatus, 1, kWrite, 0);
    }
    uint16_t idx;
    memcpy(&idx, ram_.at(kAvail + 2), 2);
    const uint16_t head = 0;
    memcpy(ram_.at(kAvail + 4 + 2 * (idx % 8)), &head, 2);
    ++idx;
    memcpy(ram_.at(kAvail + 2), &idx, 2);
    EXPECT_TRUE(dev_->process_queue(0));
    return *ram_.at(kStatus);
  }

  memory::GuestRam ram_;
  std::vector<Virtqueue> queues_;
  NullInterrupt irq_;
  std::unique_ptr<BlockDevice> dev_;
  std::string path_;
};

TEST_F(Blk, ReadWriteFlush) {
  EXPECT_EQ(submit(0, 2, 1024, true), 0);  // read sectors 2-3
  EXPECT_EQ(*ram_.at(kData), 'C');
  EXPECT_EQ(*ram_.at(kData + 512), 'D');
  memset(ram_.at(kData), 'z', 512);
  EXPECT_EQ(submit(1, 15, 512, false), 0);  // write the last sector
  EXPECT_EQ(submit(4, 0, 0, false), 0);     // flush
  memset(ram_.at(kData), 0, 512);
  EXPECT_EQ(submit(0, 15, 512, true), 0);
  EXPECT_EQ(*ram_.at(kData + 511), 'z');
  EXPECT_GE(irq_.used, 1);
}

TEST_F(Blk, GetIdReturnsTheSerial) {
  EXPECT_EQ(submit(8, 0, 20, true), 0);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(ram_.at(kData))), "serial-1234");
}

TEST_F(Blk, RequestsPastTheEndFail) {
  EXPECT_EQ(submit(0, 16, 512, true), 1);                  // first sector past the end
  EXPECT_EQ(submit(0, 15, 1024, true), 1);                 // straddles the end
  EXPECT_EQ(submit(0, ~0ull / 512, 512, true), 1);         // sector * 512 overflows
  EXPECT_EQ(submit(1, 16, 512, false), 1);
  EXPECT_EQ(submit(0, 0, 100, true), 1);                   // not a whole sector
}

TEST_F(Blk, UnknownTypeIsUnsupported) { EXPECT_EQ(submit(99, 0, 0, false), 2); }

TEST_F(Blk, ReadOnlyRefusesWrites) {
  open(true);
  EXPECT_NE(dev_->device_features() & (1ull << 5), 0u);
  EXPECT_EQ(submit(1, 0, 512, false), 1);
  EXPECT_EQ(submit(0, 0, 512, true), 0);
}

TEST_F(Blk, ShortHeaderIsCountedNotTrusted) {
  desc(0, kHeader, 8, kNext, 1);  // header of 8 bytes
  desc(1, kStatus, 1, kWrite, 0);
  uint16_t idx = 1, head = 0;
  memcpy(ram_.at(kAvail + 4), &head, 2);
  memcpy(ram_.at(kAvail + 2), &idx, 2);
  *ram_.at(kStatus) = 0xff;
  EXPECT_TRUE(dev_->process_queue(0));
  EXPECT_EQ(*ram_.at(kStatus), 1);  // VIRTIO_BLK_S_IOERR
  EXPECT_GE(dev_->counters.guest_errors, 1u);
}

}  // namespace
}  // namespace vessel::devices::virtio
