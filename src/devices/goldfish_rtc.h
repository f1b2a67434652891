// Goldfish RTC: nanoseconds of the host's wall clock (plus a guest-set offset).
#pragma once
#include <cstdint>
#include <mutex>

#include "devices/fdt_node.h"
#include "devices/irq_line.h"
#include "memory/mmio.h"

namespace vessel::snapshot {
class StateWriter;
class StateReader;
}  // namespace vessel::snapshot

namespace vessel::devices {

class GoldfishRtc : public memory::MmioDevice, public FdtNode {
 public:
  static constexpr uint64_t kSize = 0x1000;
  GoldfishRtc(uint64_t base, IrqLine irq) : base_(base), irq_(irq) {}

  bool read(uint64_t offset, unsigned size, uint64_t& value) override;
  bool write(uint64_t offset, unsigned size, uint64_t value) override;
  void add_fdt_node(FdtBuilder& fdt, const FdtContext& ctx) const override;
  // Snapshot persistence (device_persist.cpp). The RTC keeps following the host's wall clock.
  void save_state(snapshot::StateWriter& out);
  bool restore_state(snapshot::StateReader& in);

 private:
  uint64_t now_ns() const;
  uint64_t base_;
  IrqLine irq_;
  std::mutex mutex_;
  int64_t offset_ns_ = 0;
  uint32_t time_high_latch_ = 0, alarm_high_ = 0, irq_enabled_ = 0;
  uint64_t alarm_ns_ = 0;
  bool alarm_armed_ = false, interrupt_ = false;
};

}  // namespace vessel::devices
