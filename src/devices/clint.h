// ACLINT/CLINT: per-hart msip and mtimecmp, and the shared mtime (10 MHz, host monotonic clock).
#pragma once
#include <vector>

#include "common/timebase.h"
#include "cpu/riscv/hart.h"
#include "devices/fdt_node.h"
#include "memory/mmio.h"

namespace vessel::devices {

class Clint : public memory::MmioDevice, public FdtNode {
 public:
  static constexpr uint64_t kSize = 0x10000;
  Clint(uint64_t base, Timebase& timebase, std::vector<riscv::Hart*> harts)
      : base_(base), timebase_(timebase), harts_(std::move(harts)) {}

  bool read(uint64_t offset, unsigned size, uint64_t& value) override;
  bool write(uint64_t offset, unsigned size, uint64_t value) override;
  void add_fdt_node(FdtBuilder& fdt, const FdtContext& ctx) const override;

 private:
  static constexpr uint64_t kMsip = 0x0, kMtimecmp = 0x4000, kMtime = 0xbff8;
  uint64_t base_;
  Timebase& timebase_;
  std::vector<riscv::Hart*> harts_;
};

}  // namespace vessel::devices
