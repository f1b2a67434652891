// Snapshot persistence of the platform devices (ARCHITECTURE.md example 7). Each device writes
// its registers in a fixed order; restore takes them back verbatim (interrupt line levels
// included: the PLIC's saved input levels already match them) and checks ranges.
#include "devices/goldfish_rtc.h"
#include "devices/plic.h"
#include "devices/uart16550.h"
#include "snapshot/state_stream.h"

namespace vessel::devices {

void Plic::save_state(snapshot::StateWriter& out) {
  std::lock_guard lock(mutex_);
  out.u32(kSources);
  out.u32(static_cast<uint32_t>(contexts_.size()));
  for (uint32_t p : priority_) out.u32(p);
  for (const auto* a : {&pending_, &level_, &claimed_})
    for (uint32_t w : *a) out.u32(w);
  for (const Context& c : contexts_) {
    for (uint32_t w : c.enable) out.u32(w);
    out.u32(c.threshold);
  }
}

bool Plic::restore_state(snapshot::StateReader& in) {
  std::lock_guard lock(mutex_);
  if (in.u32() != kSources) in.fail("number of sources differs");
  if (in.u32() != contexts_.size()) in.fail("number of contexts differs");
  for (uint32_t& p : priority_) p = in.u32() & 7;
  priority_[0] = 0;
  for (auto* a : {&pending_, &level_, &claimed_})
    for (uint32_t& w : *a) w = in.u32();
  for (Context& c : contexts_) {
    for (uint32_t& w : c.enable) w = in.u32();
    c.enable[0] &= ~1u;
    c.threshold = in.u32() & 7;
  }
  if (!in.finish()) return false;
  update_outputs();
  return true;
}

void Uart16550::save_state(snapshot::StateWriter& out) {
  std::lock_guard lock(mutex_);
  for (uint8_t r : {ier_, lcr_, mcr_, scr_, fcr_, dll_, dlm_}) out.u8(r);
  out.boolean(thr_interrupt_);
  out.boolean(irq_level_);
  out.boolean(break_front_);
  const std::vector<uint8_t> rx(rx_.begin(), rx_.end());
  out.bytes(rx.data(), rx.size());
}

bool Uart16550::restore_state(snapshot::StateReader& in) {
  std::lock_guard lock(mutex_);
  for (uint8_t* r : {&ier_, &lcr_, &mcr_, &scr_, &fcr_, &dll_, &dlm_}) *r = in.u8();
  thr_interrupt_ = in.boolean();
  irq_level_ = in.boolean();
  break_front_ = in.boolean();
  const std::vector<uint8_t> rx = in.bytes(kRxCapacity);
  rx_.assign(rx.begin(), rx.end());
  return in.finish();
}

void GoldfishRtc::save_state(snapshot::StateWriter& out) {
  std::lock_guard lock(mutex_);
  out.u64(static_cast<uint64_t>(offset_ns_));
  out.u32(time_high_latch_);
  out.u32(alarm_high_);
  out.u32(irq_enabled_);
  out.u64(alarm_ns_);
  out.boolean(alarm_armed_);
  out.boolean(interrupt_);
}

bool GoldfishRtc::restore_state(snapshot::StateReader& in) {
  std::lock_guard lock(mutex_);
  offset_ns_ = static_cast<int64_t>(in.u64());
  time_high_latch_ = in.u32();
  alarm_high_ = in.u32();
  irq_enabled_ = in.u32() & 1;
  alarm_ns_ = in.u64();
  alarm_armed_ = in.boolean();
  interrupt_ = in.boolean();
  return in.finish();
}

}  // namespace vessel::devices
