// Platform-level interrupt controller (SiFive PLIC as on QEMU `virt`): 96 sources,
// an M-mode and an S-mode context per hart, level-triggered gateways with claim/complete.
#pragma once
#include <array>
#include <mutex>
#include <vector>

#include "cpu/riscv/hart.h"
#include "devices/fdt_node.h"
#include "devices/irq_line.h"
#include "memory/mmio.h"

namespace vessel::snapshot {
class StateWriter;
class StateReader;
}  // namespace vessel::snapshot

namespace vessel::devices {

class Plic : public memory::MmioDevice, public InterruptController, public FdtNode {
 public:
  static constexpr unsigned kSources = 96;  // source 0 is reserved ("no interrupt")
  static constexpr uint64_t kSize = 0x600000;

  Plic(uint64_t base, std::vector<riscv::Hart*> harts);

  bool read(uint64_t offset, unsigned size, uint64_t& value) override;
  bool write(uint64_t offset, unsigned size, uint64_t value) override;
  void set_irq(unsigned source, bool level) override;
  void add_fdt_node(FdtBuilder& fdt, const FdtContext& ctx) const override;
  // Snapshot persistence (device_persist.cpp); restore recomputes the harts' MEIP/SEIP.
  void save_state(snapshot::StateWriter& out);
  bool restore_state(snapshot::StateReader& in);

  uint32_t phandle = 0;  // assigned by the board before the device tree is built

 private:
  static constexpr unsigned kWords = kSources / 32;
  struct Context {
    std::array<uint32_t, kWords> enable{};
    uint32_t threshold = 0;
  };
  unsigned best_pending(const Context& c) const;  // 0 if none above threshold
  void update_outputs();                           // recompute MEIP/SEIP of every hart
  uint32_t claim(unsigned ctx);
  void complete(unsigned ctx, uint32_t source);

  uint64_t base_;
  std::vector<riscv::Hart*> harts_;
  std::mutex mutex_;
  std::array<uint32_t, kSources> priority_{};
  std::array<uint32_t, kWords> pending_{};
  std::array<uint32_t, kWords> level_{};     // current input line levels
  std::array<uint32_t, kWords> claimed_{};   // claimed, not yet completed
  std::vector<Context> contexts_;            // 2 per hart: M then S
};

}  // namespace vessel::devices
