// Per-component persistence: each component's state survives save + restore into a fresh
// instance, as seen through its guest-visible registers, and a damaged section is refused.
#include <gtest/gtest.h>

#include <random>

#include "cpu/riscv/hart.h"
#include "devices/goldfish_rtc.h"
#include "devices/plic.h"
#include "devices/uart16550.h"
#include "devices/virtio/balloon/balloon_device.h"
#include "devices/virtio/mmio_transport.h"
#include "devices/virtio/rng/rng_device.h"
#include "devices/virtio/virtqueue.h"
#include "snapshot/hart_state.h"
#include "snapshot/state_stream.h"

namespace vessel::snapshot {
namespace {

struct Machine {
  Machine() {
    EXPECT_EQ(as.ram().map(0x80000000, 1 << 20), "");
    hart = std::make_unique<riscv::Hart>(as, timebase, 0);
  }
  memory::AddressSpace as;
  Timebase timebase;
  std::unique_ptr<riscv::Hart> hart;
};

template <typename T>
std::vector<uint8_t> save(T& component) {
  StateWriter w;
  component.save_state(w);
  return w.take();
}

TEST(HartState, RoundTripsEveryField) {
  Machine a, b;
  riscv::Hart& h = *a.hart;
  std::mt19937_64 rng(1);
  for (auto& v : h.x) v = rng();
  h.x[0] = 0;
  for (auto& v : h.f) v = rng();
  h.pc = 0x80201234;
  h.priv = riscv::Priv::Supervisor;
  h.instret = 123456789;
  h.csr.mstatus = rng();
  h.csr.satp = rng();
  h.csr.stimecmp = 777;
  h.csr.sepc = rng();
  h.csr.cycle_base = 55;
  h.csr.fflags = 0x15;
  h.csr.frm = 3;
  h.csr.pmpcfg[5] = 0x1f;
  h.csr.pmpaddr[15] = rng();
  h.mip = 0x222;
  h.mtimecmp = 999;
  h.waiting = true;
  uint8_t byte = 0;
  h.reservation = &byte;
  StateWriter w;
  save_hart(h, w);
  StateReader r(w.data().data(), w.data().size(), "hart 0");
  riscv::Hart& g = *b.hart;
  ASSERT_TRUE(restore_hart(g, r)) << r.error();
  EXPECT_EQ(memcmp(g.x, h.x, sizeof h.x), 0);
  EXPECT_EQ(memcmp(g.f, h.f, sizeof h.f), 0);
  EXPECT_EQ(g.pc, h.pc);
  EXPECT_EQ(g.priv, h.priv);
  EXPECT_EQ(g.instret, h.instret);
  EXPECT_EQ(g.csr.mstatus, h.csr.mstatus);
  EXPECT_EQ(g.csr.satp, h.csr.satp);
  EXPECT_EQ(g.csr.stimecmp, 777u);
  EXPECT_EQ(g.csr.sepc, h.csr.sepc);
  EXPECT_EQ(g.csr.cycle_base, 55u);
  EXPECT_EQ(g.csr.fflags, 0x15);
  EXPECT_EQ(g.csr.frm, 3);
  EXPECT_EQ(g.csr.pmpcfg[5], 0x1f);
  EXPECT_EQ(g.csr.pmpaddr[15], h.csr.pmpaddr[15]);
  EXPECT_EQ(g.mip.load(), 0x222u);
  EXPECT_EQ(g.mtimecmp.load(), 999u);
  EXPECT_TRUE(g.waiting);
  EXPECT_EQ(g.reservation, nullptr) << "the LR reservation is dropped";
}

TEST(HartState, DamagedSectionsAreRefused) {
  Machine a, b;
  StateWriter w;
  save_hart(*a.hart, w);
  auto data = w.take();
  for (size_t len = 0; len < data.size(); len += 13) {
    StateReader r(data.data(), len, "hart 0");
    EXPECT_FALSE(restore_hart(*b.hart, r)) << len;
    EXPECT_NE(r.error().find("hart 0"), std::string::npos);
  }
  data[8 + 64 * 8 + 8] = 2;  // privilege 2 does not exist
  StateReader r(data.data(), data.size(), "hart 0");
  EXPECT_FALSE(restore_hart(*b.hart, r));
  EXPECT_NE(r.error().find("privilege"), std::string::npos) << r.error();
  Machine other;
  riscv::Hart wrong_id(other.as, other.timebase, 3);
  StateWriter again;
  save_hart(*a.hart, again);
  StateReader r3(again.data().data(), again.data().size(), "hart");
  EXPECT_FALSE(restore_hart(wrong_id, r3));
}

TEST(PlicState, RoundTripKeepsPendingClaimsAndOutputs) {
  Machine a, b;
  devices::Plic p(0xc000000, {a.hart.get()});
  // Source 10 at priority 3, enabled for the S context (1) with threshold 1, then raised.
  ASSERT_TRUE(p.write(10 * 4, 4, 3));
  ASSERT_TRUE(p.write(0x2000 + 0x80, 4, 1u << 10));
  ASSERT_TRUE(p.write(0x201000, 4, 1));
  p.set_irq(10, true);
  p.set_irq(11, true);
  EXPECT_TRUE(a.hart->mip.load() & riscv::irq::kSEIP);
  const auto state = save(p);

  devices::Plic q(0xc000000, {b.hart.get()});
  StateReader r(state.data(), state.size(), "PLIC");
  ASSERT_TRUE(q.restore_state(r)) << r.error();
  EXPECT_TRUE(b.hart->mip.load() & riscv::irq::kSEIP) << "outputs recomputed on restore";
  uint64_t v;
  ASSERT_TRUE(q.read(10 * 4, 4, v));
  EXPECT_EQ(v, 3u);
  ASSERT_TRUE(q.read(0x1000, 4, v));
  EXPECT_EQ(v, (1u << 10) | (1u << 11));
  ASSERT_TRUE(q.read(0x201000, 4, v));
  EXPECT_EQ(v, 1u);
  ASSERT_TRUE(q.read(0x201004, 4, v));  // claim
  EXPECT_EQ(v, 10u);

  StateReader cut(state.data(), state.size() - 1, "PLIC");
  devices::Plic c(0xc000000, {b.hart.get()});
  EXPECT_FALSE(c.restore_state(cut));
  EXPECT_NE(cut.error().find("PLIC"), std::string::npos);
  devices::Plic two_harts(0xc000000, {a.hart.get(), b.hart.get()});
  StateReader wrong(state.data(), state.size(), "PLIC");
  EXPECT_FALSE(two_harts.restore_state(wrong));
  EXPECT_NE(wrong.error().find("contexts"), std::string::npos) << wrong.error();
}

TEST(UartState, RoundTripKeepsRegistersAndFifo) {
  devices::Uart16550 u(0x10000000, {}, [](const uint8_t*, size_t) {});
  ASSERT_TRUE(u.write(3, 1, 0x83));  // DLAB
  ASSERT_TRUE(u.write(0, 1, 0x01));  // divisor latch low
  ASSERT_TRUE(u.write(3, 1, 0x03));  // 8N1
  ASSERT_TRUE(u.write(1, 1, 0x01));  // IER: rx
  ASSERT_TRUE(u.write(7, 1, 0x5a));  // scratch
  const uint8_t typed[] = {'a', 'b', 'c'};
  ASSERT_EQ(u.receive(typed, 3), 3u);
  const auto state = save(u);

  devices::Uart16550 v(0x10000000, {}, [](const uint8_t*, size_t) {});
  StateReader r(state.data(), state.size(), "UART");
  ASSERT_TRUE(v.restore_state(r)) << r.error();
  uint64_t x;
  ASSERT_TRUE(v.read(3, 1, x));
  EXPECT_EQ(x, 0x03u);
  ASSERT_TRUE(v.read(1, 1, x));
  EXPECT_EQ(x, 0x01u);
  ASSERT_TRUE(v.read(7, 1, x));
  EXPECT_EQ(x, 0x5au);
  ASSERT_TRUE(v.read(2, 1, x));
  EXPECT_EQ(x & 0x0f, 0x04u) << "receive interrupt pending";
  std::string fifo;
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(v.read(0, 1, x));
    fifo += static_cast<char>(x);
  }
  EXPECT_EQ(fifo, "abc");
  ASSERT_TRUE(v.read(3, 1, x));
  ASSERT_TRUE(v.write(3, 1, 0x83));
  ASSERT_TRUE(v.read(0, 1, x));
  EXPECT_EQ(x, 0x01u) << "divisor latch";

  StateReader cut(state.data(), state.size() - 2, "UART");
  EXPECT_FALSE(v.restore_state(cut));
}

TEST(RtcState, RoundTripKeepsTheGuestSetTime) {
  devices::GoldfishRtc a(0x101000, {});
  // The guest sets its clock to 1000 s after the epoch (high half first, then low).
  const uint64_t want = 1000ull * 1'000'000'000ull;
  ASSERT_TRUE(a.write(0x04, 4, want >> 32));
  ASSERT_TRUE(a.write(0x00, 4, want & 0xffffffff));
  const auto state = save(a);
  devices::GoldfishRtc b(0x101000, {});
  StateReader r(state.data(), state.size(), "RTC");
  ASSERT_TRUE(b.restore_state(r)) << r.error();
  uint64_t lo, hi;
  ASSERT_TRUE(b.read(0x00, 4, lo));
  ASSERT_TRUE(b.read(0x04, 4, hi));
  const uint64_t t = hi << 32 | lo;
  EXPECT_GE(t, want);
  EXPECT_LT(t, want + 60ull * 1'000'000'000ull);
}

TEST(VirtqueueState, RoundTrip) {
  devices::virtio::Virtqueue q;
  q.size = 128;
  q.ready = true;
  q.desc_addr = 0x80001000;
  q.avail_addr = 0x80002000;
  q.used_addr = 0x80003000;
  q.set_event_idx(true);
  q.restore_indices(77, 75);
  StateWriter w;
  q.save_state(w);
  devices::virtio::Virtqueue p;
  StateReader r(w.data().data(), w.data().size(), "queue");
  ASSERT_TRUE(p.restore_state(r, 256));
  EXPECT_TRUE(r.finish()) << r.error();
  EXPECT_EQ(p.size, 128);
  EXPECT_TRUE(p.ready);
  EXPECT_EQ(p.desc_addr, q.desc_addr);
  EXPECT_EQ(p.avail_addr, q.avail_addr);
  EXPECT_EQ(p.used_addr, q.used_addr);
  EXPECT_EQ(p.last_avail(), 77);
  EXPECT_EQ(p.used_idx(), 75);
  StateReader small(w.data().data(), w.data().size(), "queue");
  devices::virtio::Virtqueue s;
  EXPECT_FALSE(s.restore_state(small, 64)) << "a size above the device maximum is refused";
}

// A driver's setup of an rng queue, through the registers (virtio-mmio v2).
void drive_setup(devices::virtio::MmioTransport& t, uint64_t ram) {
  auto w = [&](uint64_t off, uint32_t v) { ASSERT_TRUE(t.write(off, 4, v)); };
  w(0x070, 1);          // ACKNOWLEDGE
  w(0x070, 1 | 2);      // DRIVER
  w(0x024, 1);          // driver features, high word: VERSION_1
  w(0x020, 1);
  w(0x070, 1 | 2 | 8);  // FEATURES_OK
  w(0x030, 0);          // queue 0
  w(0x038, 16);
  w(0x080, static_cast<uint32_t>(ram + 0x1000));
  w(0x090, static_cast<uint32_t>(ram + 0x2000));
  w(0x0a0, static_cast<uint32_t>(ram + 0x3000));
  w(0x044, 1);
  w(0x070, 1 | 2 | 8 | 4);  // DRIVER_OK
}

TEST(TransportState, RoundTripOfALiveDevice) {
  Machine m;
  EventLoop loop;
  devices::virtio::MmioTransport a(0x10001000, {}, m.as.ram(), std::make_unique<devices::virtio::RngDevice>(), loop);
  drive_setup(a, m.as.ram().base());
  ASSERT_EQ(a.status(), 15u);
  const auto state = save(a);

  devices::virtio::MmioTransport b(0x10001000, {}, m.as.ram(), std::make_unique<devices::virtio::RngDevice>(), loop);
  StateReader r(state.data(), state.size(), "virtio");
  ASSERT_TRUE(b.restore_state(r)) << r.error();
  EXPECT_EQ(b.status(), 15u);
  uint64_t v;
  ASSERT_TRUE(b.read(0x044, 4, v));
  EXPECT_EQ(v, 1u) << "queue 0 ready";
  EXPECT_EQ(save(b), state) << "saving the restored transport gives the same bytes";

  // Another kind of device in the slot is refused, by name.
  devices::virtio::MmioTransport c(0x10001000, {}, m.as.ram(), std::make_unique<devices::virtio::BalloonDevice>(), loop);
  StateReader wrong(state.data(), state.size(), "virtio slot 0");
  EXPECT_FALSE(c.restore_state(wrong));
  EXPECT_NE(wrong.error().find("different device"), std::string::npos) << wrong.error();
  // A queue outside guest RAM is refused rather than used.
  auto bad = state;
  // status(4) sels(12) features(8) generation(4) active(1) interrupt(4) count(4) size(2) ready(1) desc(8)
  const size_t desc = 4 + 4 + 12 + 8 + 4 + 1 + 4 + 4 + 2 + 1;
  for (int i = 0; i < 8; ++i) bad[desc + i] = 0xee;
  devices::virtio::MmioTransport d(0x10001000, {}, m.as.ram(), std::make_unique<devices::virtio::RngDevice>(), loop);
  StateReader outside(bad.data(), bad.size(), "virtio slot 0");
  EXPECT_FALSE(d.restore_state(outside));
  EXPECT_FALSE(outside.error().empty());
}

TEST(BalloonState, RoundTripKeepsTargetAndHeldStatsBuffer) {
  devices::virtio::BalloonDevice a;
  a.set_target_bytes(64 << 20);
  const auto state = save(a);
  devices::virtio::BalloonDevice b;
  StateReader r(state.data(), state.size(), "balloon");
  ASSERT_TRUE(b.restore_state(r) && r.finish()) << r.error();
  EXPECT_EQ(b.target_bytes(), 64u << 20);
  EXPECT_EQ(save(b), state);
}

}  // namespace
}  // namespace vessel::snapshot
