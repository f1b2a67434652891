// virtio-mmio transport, version 2 (virtio 1.2 section 4.2): its register layout mapped onto
// the transport-independent TransportCore, one window and one interrupt line per device.
#pragma once
#include <memory>

#include "common/event_loop.h"
#include "devices/fdt_node.h"
#include "devices/irq_line.h"
#include "devices/virtio/transport_core.h"
#include "memory/mmio.h"

namespace vessel::devices::virtio {

class MmioTransport : public memory::MmioDevice, public FdtNode {
 public:
  static constexpr uint64_t kSize = 0x1000;

  MmioTransport(uint64_t base, IrqLine irq, const memory::GuestRam& ram, std::unique_ptr<VirtioDevice> device,
                EventLoop& loop);

  bool read(uint64_t offset, unsigned size, uint64_t& value) override;
  bool write(uint64_t offset, unsigned size, uint64_t value) override;
  void add_fdt_node(FdtBuilder& fdt, const FdtContext& ctx) const override;

  VirtioDevice& device() { return core_.device(); }
  uint32_t status() const { return core_.status(); }
  uint64_t guest_errors() const { return core_.device().counters.guest_errors; }
  // Snapshot persistence: the transport state is all in the core (transport_persist.cpp).
  void save_state(snapshot::StateWriter& out) { core_.save_state(out); }
  bool restore_state(snapshot::StateReader& in) { return core_.restore_state(in); }

 private:
  uint64_t base_;
  unsigned irq_source_;
  TransportCore core_;
};

}  // namespace vessel::devices::virtio
