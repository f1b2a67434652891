#include "devices/goldfish_rtc.h"

#include <cstdio>
#include <ctime>

namespace vessel::devices {
namespace {
enum : uint64_t {
  kTimeLow = 0x00, kTimeHigh = 0x04, kAlarmLow = 0x08, kAlarmHigh = 0x0c, kIrqEnabled = 0x10,
  kClearAlarm = 0x14, kAlarmStatus = 0x18, kClearInterrupt = 0x1c,
};
}

uint64_t GoldfishRtc::now_ns() const {
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000ull + static_cast<uint64_t>(ts.tv_nsec) + offset_ns_;
}

bool GoldfishRtc::read(uint64_t off, unsigned size, uint64_t& value) {
  if (size != 4) return false;
  std::lock_guard lock(mutex_);
  switch (off) {
    case kTimeLow: {  // reading the low half latches the high half, as the driver expects
      const uint64_t t = now_ns();
      time_high_latch_ = static_cast<uint32_t>(t >> 32);
      value = static_cast<uint32_t>(t);
      break;
    }
    case kTimeHigh: value = time_high_latch_; break;
    case kAlarmLow: value = static_cast<uint32_t>(alarm_ns_); break;
    case kAlarmHigh: value = static_cast<uint32_t>(alarm_ns_ >> 32); break;
    case kIrqEnabled: value = irq_enabled_; break;
    case kAlarmStatus: value = alarm_armed_ && now_ns() < alarm_ns_; break;
    default: value = 0;
  }
  return true;
}

bool GoldfishRtc::write(uint64_t off, unsigned size, uint64_t value) {
  if (size != 4) return false;
  std::lock_guard lock(mutex_);
  const uint32_t v = static_cast<uint32_t>(value);
  switch (off) {
    case kTimeLow: {
      const uint64_t want = (static_cast<uint64_t>(time_high_latch_) << 32) | v;
      offset_ns_ += static_cast<int64_t>(want - now_ns());
      break;
    }
    case kTimeHigh: time_high_latch_ = v; break;
    case kAlarmHigh: alarm_high_ = v; break;
    case kAlarmLow:
      alarm_ns_ = (static_cast<uint64_t>(alarm_high_) << 32) | v;
      alarm_armed_ = true;
      // An alarm already in the past fires at once; a future one is not timed (no RTC wakeups yet).
      if (now_ns() >= alarm_ns_) {
        alarm_armed_ = false;
        interrupt_ = true;
        if (irq_enabled_) irq_.set(true);
      }
      break;
    case kIrqEnabled:
      irq_enabled_ = v & 1;
      irq_.set(irq_enabled_ && interrupt_);
      break;
    case kClearAlarm: alarm_armed_ = false; break;
    case kClearInterrupt:
      interrupt_ = false;
      irq_.set(false);
      break;
    default: break;
  }
  return true;
}

void GoldfishRtc::add_fdt_node(FdtBuilder& fdt, const FdtContext& ctx) const {
  char name[64];
  snprintf(name, sizeof name, "rtc@%lx", base_);
  fdt.begin_node(name);
  fdt.prop_string("compatible", "google,goldfish-rtc");
  fdt.prop_reg(base_, kSize);
  fdt.prop_u32("interrupts", irq_.source());
  fdt.prop_u32("interrupt-parent", ctx.plic_phandle);
  fdt.end_node();
}

}  // namespace vessel::devices
