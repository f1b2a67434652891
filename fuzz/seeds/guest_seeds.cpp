// Seeds of the guest-facing targets: driver scripts in GuestOps form (virtio devices, device
// registers) and SBI calls.
#include "fuzz/seeds/seeds.h"

#include <cstring>

#include "fuzz/support/guest_ops.h"

namespace vessel::fuzz::seeds {
namespace {

// virtio-mmio registers (virtio 1.2 section 4.2.2).
enum : uint32_t {
  kDriverFeatures = 0x020, kDriverFeaturesSel = 0x024, kQueueSel = 0x030, kQueueNum = 0x038, kQueueReady = 0x044,
  kQueueNotify = 0x050, kInterruptAck = 0x064, kStatus = 0x070, kQueueDescLow = 0x080, kQueueDriverLow = 0x090,
  kQueueDeviceLow = 0x0a0, kConfig = 0x100,
};
constexpr uint16_t kQueueArea = 0x1000, kQueueStride = 0x1000, kBuffers = 0x8000;
constexpr uint64_t kRam = 0x8000'0000;
constexpr uint16_t kNext = 1, kWritable = 2;

template <typename T>
void put(std::vector<uint8_t>& out, T v) {
  for (size_t i = 0; i < sizeof v; ++i) out.push_back(static_cast<uint8_t>(static_cast<uint64_t>(v) >> (8 * i)));
}

struct Buffer {
  std::vector<uint8_t> bytes;  // readable content, or the size of a writable buffer (zeros)
  bool writable = false;
};

// Brings the device up as a Linux driver does (VERSION_1 plus the device's low feature word).
void bring_up(GuestOpsWriter& w, unsigned queues, uint32_t features_low) {
  w.write(0, kStatus, 4, 0).write(0, kStatus, 4, 1).write(0, kStatus, 4, 3);
  w.write(0, kDriverFeaturesSel, 4, 1).write(0, kDriverFeatures, 4, 1);
  w.write(0, kDriverFeaturesSel, 4, 0).write(0, kDriverFeatures, 4, features_low);
  w.write(0, kStatus, 4, 11);
  for (unsigned q = 0; q < queues; ++q) {
    const uint64_t base = kRam + kQueueArea + q * kQueueStride;
    w.write(0, kQueueSel, 4, q).write(0, kQueueNum, 4, 8);
    w.write(0, kQueueDescLow, 4, base).write(0, kQueueDescLow + 4, 4, base >> 32);
    w.write(0, kQueueDriverLow, 4, base + 0x400).write(0, kQueueDriverLow + 4, 4, base >> 32);
    w.write(0, kQueueDeviceLow, 4, base + 0x800).write(0, kQueueDeviceLow + 4, 4, base >> 32);
    w.write(0, kQueueReady, 4, 1);
  }
  w.write(0, kStatus, 4, 15);
}

// Puts a chain of buffers in queue q (descriptors from 0, avail index `avail`) and notifies.
void submit(GuestOpsWriter& w, unsigned q, const std::vector<Buffer>& chain, uint16_t avail = 1) {
  const uint16_t area = static_cast<uint16_t>(kQueueArea + q * kQueueStride);
  uint16_t data = static_cast<uint16_t>(kBuffers + q * 0x1000);
  std::vector<uint8_t> table;
  for (size_t i = 0; i < chain.size(); ++i) {
    const size_t len = chain[i].bytes.size();
    if (!chain[i].writable) w.store(data, chain[i].bytes);
    put<uint64_t>(table, kRam + data);
    put<uint32_t>(table, static_cast<uint32_t>(len));
    put<uint16_t>(table, static_cast<uint16_t>((i + 1 < chain.size() ? kNext : 0) | (chain[i].writable ? kWritable : 0)));
    put<uint16_t>(table, static_cast<uint16_t>(i + 1));
    data = static_cast<uint16_t>(data + ((len + 15) & ~size_t{15}) + 16);
  }
  w.store(area, table);
  std::vector<uint8_t> ring;
  put<uint16_t>(ring, 0);
  put<uint16_t>(ring, avail);
  for (uint16_t i = 0; i < avail; ++i) put<uint16_t>(ring, 0);
  w.store(area + 0x400, ring);
  w.write(0, kQueueNotify, 4, q).run_io().read(0, 0x060, 4).write(0, kInterruptAck, 4, 3);
}

std::vector<uint8_t> blk_header(uint32_t type, uint64_t sector) {
  std::vector<uint8_t> h;
  put<uint32_t>(h, type);
  put<uint32_t>(h, 0);
  put<uint64_t>(h, sector);
  return h;
}

Seed virtio(const std::string& name, uint8_t device, unsigned queues, uint32_t features,
            const std::function<void(GuestOpsWriter&)>& requests) {
  GuestOpsWriter w;
  w.out().u8(device);
  bring_up(w, queues, features);
  requests(w);
  return {name, w.data()};
}

}  // namespace

std::vector<Seed> virtio_device_seeds() {
  enum : uint8_t { kBlkRaw, kBlkQcow2, kRng, kConsole, kBalloon, kNet, kVsock };  // virtio_devices_fuzzer.cpp
  std::vector<Seed> out;
  for (uint8_t dev : {kBlkRaw, kBlkQcow2}) {
    const std::string prefix = dev == kBlkRaw ? "blk-raw-" : "blk-qcow2-";
    out.push_back(virtio(prefix + "read", dev, 1, 0, [](GuestOpsWriter& w) {
      submit(w, 0, {{blk_header(0, 1), false}, {std::vector<uint8_t>(512), true}, {{0}, true}});
    }));
    out.push_back(virtio(prefix + "write-flush", dev, 1, 0, [](GuestOpsWriter& w) {
      submit(w, 0, {{blk_header(1, 2), false}, {std::vector<uint8_t>(1024, 0xab), false}, {{0}, true}});
      submit(w, 0, {{blk_header(4, 0), false}, {{0}, true}}, 2);
    }));
    out.push_back(virtio(prefix + "discard-getid", dev, 1, (1u << 13) | (1u << 14), [](GuestOpsWriter& w) {
      std::vector<uint8_t> range;
      put<uint64_t>(range, 8);
      put<uint32_t>(range, 8);
      put<uint32_t>(range, 0);
      submit(w, 0, {{blk_header(11, 0), false}, {range, false}, {{0}, true}});
      submit(w, 0, {{blk_header(8, 0), false}, {std::vector<uint8_t>(20), true}, {{0}, true}}, 2);
    }));
  }
  out.push_back(virtio("rng", kRng, 1, 0, [](GuestOpsWriter& w) {
    submit(w, 0, {{std::vector<uint8_t>(64), true}});
  }));
  out.push_back(virtio("console", kConsole, 2, 1, [](GuestOpsWriter& w) {
    submit(w, 1, {{{'h', 'e', 'l', 'l', 'o', '\n'}, false}});
    w.backend({'l', 's', '\n'});
    submit(w, 0, {{std::vector<uint8_t>(32), true}});
    w.read(0, kConfig, 4);
  }));
  out.push_back(virtio("balloon", kBalloon, 4, 0, [](GuestOpsWriter& w) {
    std::vector<uint8_t> pfns;
    for (uint32_t p = 0; p < 4; ++p) put<uint32_t>(pfns, static_cast<uint32_t>((kRam >> 12) + 0x20 + p));
    w.read(0, kConfig, 4).write(0, kConfig + 4, 4, 4);
    submit(w, 0, {{pfns, false}});
    submit(w, 1, {{pfns, false}});
    std::vector<uint8_t> stats;
    put<uint16_t>(stats, 4);
    put<uint64_t>(stats, 123456);
    submit(w, 2, {{stats, false}});
  }));
  out.push_back(virtio("net", kNet, 2, (1u << 5) | (1u << 0), [](GuestOpsWriter& w) {
    std::vector<uint8_t> frame(12, 0);  // virtio_net_hdr_v1
    const uint8_t eth[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 0, 1, 0x08, 0x06};
    frame.insert(frame.end(), eth, eth + sizeof eth);
    frame.resize(12 + 60, 0);
    submit(w, 1, {{frame, false}});
    submit(w, 0, {{std::vector<uint8_t>(1526), true}});
    w.backend(std::vector<uint8_t>(frame.begin() + 12, frame.end()));
    w.run_io();
  }));
  out.push_back(virtio("vsock", kVsock, 3, 0, [](GuestOpsWriter& w) {
    std::vector<uint8_t> hdr;
    put<uint64_t>(hdr, 3);      // src_cid
    put<uint64_t>(hdr, 2);      // dst_cid
    put<uint32_t>(hdr, 1024);   // src_port
    put<uint32_t>(hdr, 52);     // dst_port
    put<uint32_t>(hdr, 0);      // len
    put<uint16_t>(hdr, 1);      // type: stream
    put<uint16_t>(hdr, 1);      // op: request
    put<uint32_t>(hdr, 0);      // flags
    put<uint32_t>(hdr, 65536);  // buf_alloc
    put<uint32_t>(hdr, 0);      // fwd_cnt
    submit(w, 0, {{std::vector<uint8_t>(4096), true}});
    submit(w, 1, {{hdr, false}});
    w.read(0, kConfig, 8);
  }));
  return out;
}

std::vector<Seed> mmio_device_seeds() {
  enum : uint8_t { kTest, kRtc, kClint, kPlic, kUart, kVirtio, kPci };  // mmio_devices_fuzzer.cpp
  std::vector<Seed> out;
  {
    GuestOpsWriter w;  // UART: 8n1 at 115200, FIFO on, interrupts on, a byte out and one in
    w.write(kUart, 3, 1, 0x80).write(kUart, 0, 1, 1).write(kUart, 1, 1, 0).write(kUart, 3, 1, 3);
    w.write(kUart, 2, 1, 0xc7).write(kUart, 1, 1, 0x0f).write(kUart, 0, 1, 'A');
    w.backend({0, 'x', 'y'}).read(kUart, 5, 1).read(kUart, 2, 1).read(kUart, 0, 1).read(kUart, 6, 1);
    w.backend({1}).read(kUart, 5, 1);
    out.push_back({"uart", w.data()});
  }
  {
    GuestOpsWriter w;  // PLIC: priority, enable, threshold, claim and complete for the UART's source 10
    w.write(kPlic, 10 * 4, 4, 7).write(kPlic, 0x2000 + 0x80 * 1, 4, 1u << 10).write(kPlic, 0x200000 + 0x1000 * 1, 4, 0);
    w.backend({3, 10, 1}).read(kPlic, 0x1000, 4).read(kPlic, 0x200004 + 0x1000 * 1, 4);
    w.write(kPlic, 0x200004 + 0x1000 * 1, 4, 10).backend({3, 10, 0});
    out.push_back({"plic", w.data()});
  }
  {
    GuestOpsWriter w;  // CLINT: msip, mtimecmp, mtime of both harts
    w.write(kClint, 0, 4, 1).write(kClint, 4, 4, 1).write(kClint, 0x4000, 8, 1000).write(kClint, 0x4008, 8, ~0ull);
    w.read(kClint, 0xbff8, 8).read(kClint, 0xbff8, 4).read(kClint, 0xbffc, 4).write(kClint, 0, 4, 0);
    out.push_back({"clint", w.data()});
  }
  {
    GuestOpsWriter w;  // RTC: time, alarm, interrupt
    w.read(kRtc, 0, 4).read(kRtc, 4, 4).write(kRtc, 0x0c, 4, 0).write(kRtc, 0x08, 4, 1).write(kRtc, 0x10, 4, 1);
    w.read(kRtc, 0x14, 4).write(kRtc, 0x1c, 4, 1).write(kRtc, 0x18, 4, 1);
    out.push_back({"rtc", w.data()});
  }
  {
    GuestOpsWriter w;  // test device: pass, fail with a code, reset
    w.write(kTest, 0, 4, 0x5555).write(kTest, 0, 4, (3u << 16) | 0x3333).write(kTest, 0, 4, 0x7777);
    out.push_back({"test", w.data()});
  }
  {
    GuestOpsWriter w;  // virtio-mmio identification and status, PCI host bridge config space
    w.read(kVirtio, 0, 4).read(kVirtio, 4, 4).read(kVirtio, 8, 4).write(kVirtio, 0x70, 4, 1).read(kVirtio, 0x70, 4);
    w.read(kPci, 0, 4).read(kPci, 8, 4).write(kPci, 0x10, 4, ~0u).read(kPci, 0x10, 4).read(kPci, 0x8000, 4);
    out.push_back({"virtio-pci", w.data()});
  }
  return out;
}

std::vector<Seed> sbi_seeds() {
  auto call = [](FuzzInputWriter& w, uint8_t hart, uint64_t eid, uint64_t fid, std::vector<uint64_t> args) {
    w.u8(hart);
    args.resize(6, 0);
    for (uint64_t a : args) w.u64(a);
    w.u64(fid).u64(eid);  // a6, a7
  };
  std::vector<Seed> out;
  {
    FuzzInputWriter w;
    w.u16(5).bytes("hello", 5);
    call(w, 0, 0x10, 0, {});                    // base: spec version
    call(w, 0, 0x10, 3, {0x48534D});            // probe HSM
    call(w, 0, 0x4442434E, 0, {5, kRam, 0});    // DBCN write
    call(w, 0, 0x4442434E, 1, {4, kRam + 8, 0});  // DBCN read
    call(w, 0, 0x4442434E, 2, {'!'});           // DBCN write byte
    call(w, 0, 0x54494D45, 0, {1000});          // TIME set_timer
    call(w, 0, 1, 0, {'x'});                    // legacy putchar
    call(w, 0, 2, 0, {});                       // legacy getchar
    out.push_back({"base-console-timer", w.data()});
  }
  {
    FuzzInputWriter w;
    w.u16(0);
    call(w, 0, 0x48534D, 0, {1, kRam, 7});       // HSM start hart 1
    call(w, 0, 0x48534D, 2, {1});                // status
    call(w, 1, 0x735049, 0, {3, 0});             // IPI to harts 0 and 1
    call(w, 1, 0x52464E43, 1, {3, 0, 0, 4096});  // RFENCE sfence.vma
    call(w, 1, 0x52464E43, 0, {~0ull, ~0ull});   // RFENCE fence.i, all harts
    call(w, 1, 0x48534D, 3, {0, kRam, 0});       // HSM suspend (retentive)
    call(w, 1, 0x48534D, 1, {});                 // HSM stop
    call(w, 0, 0x53525354, 0, {0, 0});           // SRST shutdown
    out.push_back({"hsm-ipi-rfence-srst", w.data()});
  }
  return out;
}

}  // namespace vessel::fuzz::seeds
