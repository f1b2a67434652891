// The migration stream's pieces without a guest: the dirty log (stores through the soft TLB,
// device writes), page records (zero markers, zstd, malformed records) and the framing
// (checksums, versions, endpoints).
#include <gtest/gtest.h>
#include <sys/socket.h>

#include <cstring>
#include <random>

#include "common/timebase.h"
#include "cpu/riscv/hart.h"
#include "cpu/riscv/memory_access.h"
#include "devices/virtio/virtqueue.h"
#include "memory/address_space.h"
#include "migration/block_codec.h"
#include "migration/channel.h"
#include "migration/endpoint.h"
#include "migration/page_codec.h"
#include "migration/stream.h"

namespace vessel::migration {
namespace {

constexpr uint64_t kRam = 0x80000000;

std::vector<uint64_t> harvest(const memory::GuestRam& ram) {
  std::vector<uint64_t> pages;
  ram.dirty_log().harvest(pages);
  return pages;
}

TEST(DirtyLog, HarvestReturnsEachMarkedPageOnce) {
  memory::GuestRam ram;
  ASSERT_TRUE(ram.map(kRam, 1 << 20).empty());
  ram.mark_dirty(kRam + 5 * 4096 + 17, 1);
  ram.mark_dirty(kRam + 4095, 2);  // crosses into page 1
  ram.mark_dirty(kRam + 5 * 4096, 8);
  EXPECT_EQ(harvest(ram), (std::vector<uint64_t>{0, 1, 5}));
  EXPECT_TRUE(harvest(ram).empty());
}

// Stores mark their page when the write TLB entry is filled; later stores through the entry
// do not, which is why each harvest makes the harts drop their TLBs.
TEST(DirtyLog, StoresMarkWhenTheirWriteEntryIsFilled) {
  memory::AddressSpace as;
  ASSERT_TRUE(as.ram().map(kRam, 1 << 20).empty());
  Timebase tb;
  riscv::Hart h(as, tb, 0);
  h.priv = riscv::Priv::Machine;
  h.update_tlb_context();
  ASSERT_TRUE(riscv::store<uint64_t>(h, kRam + 3 * 4096 + 8, 42));
  EXPECT_EQ(harvest(as.ram()), (std::vector<uint64_t>{3}));
  ASSERT_TRUE(riscv::store<uint64_t>(h, kRam + 3 * 4096 + 16, 43));
  EXPECT_TRUE(harvest(as.ram()).empty()) << "a TLB hit costs no check";
  h.flush_tlb();
  ASSERT_TRUE(riscv::store<uint64_t>(h, kRam + 3 * 4096 + 24, 44));
  EXPECT_EQ(harvest(as.ram()), (std::vector<uint64_t>{3}));
  // Atomics and cache-block zeroing mark too.
  h.flush_tlb();
  ASSERT_NE(h.atomic_ptr(kRam + 7 * 4096, 8, false), nullptr);
  ASSERT_TRUE(h.cache_block_op(kRam + 9 * 4096, true));
  EXPECT_EQ(harvest(as.ram()), (std::vector<uint64_t>{7, 9}));
}

// A page only a device wrote (DMA into a guest buffer, as virtio-blk reads and net rx do)
// is in the next harvest and so reaches the destination.
TEST(DirtyLog, PageWrittenOnlyByADeviceIsTransferred) {
  memory::GuestRam src, dst;
  ASSERT_TRUE(src.map(kRam, 1 << 20).empty());
  ASSERT_TRUE(dst.map(kRam, 1 << 20).empty());
  (void)harvest(src);
  devices::virtio::Chain chain;
  chain.buffers.push_back({kRam + 40 * 4096 + 100, 300, true});
  devices::virtio::ChainWriter out(src, chain);
  const std::string data(300, 'D');
  ASSERT_EQ(out.write(data.data(), data.size()), data.size());
  const auto pages = harvest(src);
  ASSERT_EQ(pages, (std::vector<uint64_t>{40}));
  PageEncoder enc(false);
  PageBatch batch;
  enc.encode(src.host(), pages.data(), pages.size(), nullptr, batch);
  PageDecoder dec(dst.host(), dst.size() / kPageBytes);
  ASSERT_TRUE(dec.apply(batch.payload.data(), batch.payload.size()));
  EXPECT_EQ(memcmp(dst.host() + 40 * 4096, src.host() + 40 * 4096, 4096), 0);
  EXPECT_EQ(dst.host()[40 * 4096 + 100], 'D');
}

class Pages : public ::testing::TestWithParam<bool> {};

TEST_P(Pages, RoundTripWithZeroMarkers) {
  constexpr uint64_t kPages = 64;
  std::vector<uint8_t> src(kPages * kPageBytes, 0), dst(kPages * kPageBytes, 0xee);
  std::fill(dst.begin(), dst.end(), 0);
  std::mt19937 rng(7);
  for (uint64_t p : {1, 2, 3, 10, 63})
    for (size_t i = 0; i < kPageBytes; ++i) src[p * kPageBytes + i] = static_cast<uint8_t>(rng() % 7);
  PageEncoder enc(GetParam());
  PageDecoder dec(dst.data(), kPages);
  std::vector<uint64_t> all(kPages);
  for (uint64_t p = 0; p < kPages; ++p) all[p] = p;
  PageBatch batch;
  enc.encode(src.data(), all.data(), all.size(), nullptr, batch);
  EXPECT_EQ(batch.data_pages, 5u);
  EXPECT_EQ(batch.zero_pages, kPages - 5);
  if (GetParam()) {
    EXPECT_LT(batch.payload.size(), 5 * kPageBytes) << "compressed";
  }
  ASSERT_TRUE(dec.apply(batch.payload.data(), batch.payload.size()));
  EXPECT_EQ(src, dst);
  // A page zeroed later (a balloon, a freed page) arrives as a marker and clears the copy.
  std::fill_n(src.begin() + 2 * kPageBytes, kPageBytes, 0);
  const uint64_t two = 2;
  enc.encode(src.data(), &two, 1, nullptr, batch);
  EXPECT_EQ(batch.zero_pages, 1u);
  ASSERT_TRUE(dec.apply(batch.payload.data(), batch.payload.size()));
  EXPECT_EQ(src, dst);
}

INSTANTIATE_TEST_SUITE_P(RawAndZstd, Pages, ::testing::Bool());

TEST(Pages, MalformedRecordsAreRefusedBeforeAnyWrite) {
  std::vector<uint8_t> src(8 * kPageBytes, 1), dst(4 * kPageBytes, 0);
  PageEncoder enc(false);
  PageBatch batch;
  const uint64_t beyond = 6;  // the destination has 4 pages
  enc.encode(src.data(), &beyond, 1, nullptr, batch);
  PageDecoder dec(dst.data(), 4);
  auto r = dec.apply(batch.payload.data(), batch.payload.size());
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().find("outside guest memory"), std::string::npos) << r.error();
  const uint64_t one = 1;
  enc.encode(src.data(), &one, 1, nullptr, batch);
  batch.payload.pop_back();
  r = dec.apply(batch.payload.data(), batch.payload.size());
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().find("does not match"), std::string::npos) << r.error();
  batch.payload[0] = 9;
  EXPECT_FALSE(dec.apply(batch.payload.data(), batch.payload.size()));
  EXPECT_FALSE(dec.apply(batch.payload.data(), 3));
  EXPECT_EQ(std::count(dst.begin(), dst.end(), 0), static_cast<long>(dst.size())) << "nothing was written";
}

struct Pair {
  Pair() {
    int fds[2];
    EXPECT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), 0);
    a = std::make_unique<Channel>(fds[0]);
    b = std::make_unique<Channel>(fds[1]);
    a->set_timeout_ms(2000);
    b->set_timeout_ms(2000);
  }
  std::unique_ptr<Channel> a, b;
};

TEST(Stream, RecordsRoundTrip) {
  Pair p;
  ASSERT_TRUE(send_header(*p.a));
  ASSERT_TRUE(send_record(*p.a, RecordType::Config, "{\"x\":1}"));
  ASSERT_TRUE(send_record(*p.a, RecordType::End));
  ASSERT_TRUE(receive_header(*p.b));
  auto r = receive_record(*p.b);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->type, static_cast<uint32_t>(RecordType::Config));
  EXPECT_EQ(r->text(), "{\"x\":1}");
  r = receive_record(*p.b);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->type, static_cast<uint32_t>(RecordType::End));
  EXPECT_TRUE(r->payload.empty());
}

TEST(Stream, CorruptionTruncationAndForeignStreamsAreRefused) {
  {
    Pair p;
    const char junk[16] = "GET / HTTP/1.1\r";
    ASSERT_TRUE(p.a->send(junk, sizeof junk));
    auto r = receive_header(*p.b);
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().find("not a Vessel migration stream"), std::string::npos) << r.error();
  }
  {
    Pair p;  // one payload byte flipped on the way
    const std::string payload = "{\"memory\":1}";
    ASSERT_TRUE(send_record(*p.a, RecordType::Config, payload));
    std::vector<uint8_t> wire(16 + payload.size() + 8);
    ASSERT_TRUE(p.b->receive(wire.data(), wire.size()));
    wire[20] ^= 1;
    Pair q;
    ASSERT_TRUE(q.a->send(wire.data(), wire.size()));
    auto r = receive_record(*q.b);
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().find("checksum mismatch"), std::string::npos) << r.error();
  }
  {
    Pair p;  // the peer goes away in the middle of a record
    const uint8_t header[16] = {'P', 'A', 'G', 'E', 0, 0, 0, 0, 100, 0, 0, 0, 0, 0, 0, 0};
    ASSERT_TRUE(p.a->send(header, sizeof header));
    p.a.reset();
    auto r = receive_record(*p.b);
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().find("ended early"), std::string::npos) << r.error();
  }
  {
    Pair p;  // an absurd length is refused before anything is allocated
    const uint8_t header[16] = {'P', 'A', 'G', 'E', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10};
    ASSERT_TRUE(p.a->send(header, sizeof header));
    auto r = receive_record(*p.b);
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().find("too long"), std::string::npos) << r.error();
  }
}

TEST(Endpoint, AddressesAreChecked) {
  EXPECT_TRUE(parse_endpoint("tcp:127.0.0.1:4444"));
  EXPECT_TRUE(parse_endpoint("tcp::4444"));
  EXPECT_TRUE(parse_endpoint("unix:/tmp/x.sock"));
  for (const char* bad : {"", "tcp:host", "tcp:host:0", "tcp:host:99999", "tcp:host:http", "unix:", "ftp:x:1"}) {
    auto e = parse_endpoint(bad);
    ASSERT_FALSE(e) << bad;
    EXPECT_NE(e.error().find("bad migration address"), std::string::npos) << e.error();
  }
  auto c = connect_endpoint(parse_endpoint("unix:/nonexistent/vessel.sock").value(), 1000);
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().find("cannot connect"), std::string::npos) << c.error();
}

}  // namespace
}  // namespace vessel::migration

// DBLK records (block_codec.h): what the writer puts in, the decoder gives back; a block
// outside its drive, a drive not copied, or a truncated record is refused whole.
namespace vessel::migration {
namespace {

TEST(BlockCodec, RoundTripAndBounds) {
  BlockRecordWriter w(1);
  std::vector<uint8_t> data(65536, 0xab);
  w.add_data(65536, data.data(), 65536);
  w.add_zero(0, 65536);
  const auto payload = w.take();
  auto r = decode_blocks(payload.data(), payload.size(), {0, 1 << 20});
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->drive, 1u);
  ASSERT_EQ(r->pieces.size(), 2u);
  EXPECT_EQ(r->pieces[0].offset, 65536u);
  EXPECT_FALSE(r->pieces[0].zero);
  EXPECT_EQ(memcmp(r->pieces[0].data, data.data(), 65536), 0);
  EXPECT_TRUE(r->pieces[1].zero);
  EXPECT_FALSE(decode_blocks(payload.data(), payload.size(), {0, 65536})) << "past the disk's end";
  EXPECT_FALSE(decode_blocks(payload.data(), payload.size(), {1 << 20})) << "no such drive";
  EXPECT_FALSE(decode_blocks(payload.data(), payload.size() - 1, {0, 1 << 20})) << "truncated";
  EXPECT_TRUE(is_zero_block(std::vector<uint8_t>(100, 0).data(), 100));
  std::vector<uint8_t> last(100, 0);
  last[99] = 1;
  EXPECT_FALSE(is_zero_block(last.data(), 100));
}

}  // namespace
}  // namespace vessel::migration
