// virtio-mmio transport, version 2 (virtio 1.2 section 4.2): registers, feature
// negotiation, queue setup, the status state machine and the interrupt line. Queue work is
// handed to the I/O thread through one eventfd per queue.
#pragma once
#include <atomic>
#include <memory>
#include <mutex>
#include <vector>

#include "common/event_loop.h"
#include "devices/fdt_node.h"
#include "devices/irq_line.h"
#include "devices/virtio/virtio_device.h"
#include "memory/mmio.h"

namespace vessel::devices::virtio {

class MmioTransport : public memory::MmioDevice, public FdtNode, private Interrupt {
 public:
  static constexpr uint64_t kSize = 0x1000;

  MmioTransport(uint64_t base, IrqLine irq, const memory::GuestRam& ram, std::unique_ptr<VirtioDevice> device,
                EventLoop& loop);
  ~MmioTransport() override;

  bool read(uint64_t offset, unsigned size, uint64_t& value) override;
  bool write(uint64_t offset, unsigned size, uint64_t value) override;
  void add_fdt_node(FdtBuilder& fdt, const FdtContext& ctx) const override;

  VirtioDevice& device() { return *device_; }
  uint32_t status() const { return status_.load(); }
  uint64_t guest_errors() const { return device_->counters.guest_errors; }
  // Snapshot persistence (transport_persist.cpp), with the I/O thread stopped: the transport
  // registers, every queue and the device's own state. Restore re-activates a live device and
  // re-signals its queues so chains made available before the snapshot are taken.
  void save_state(snapshot::StateWriter& out);
  bool restore_state(snapshot::StateReader& in);

 private:
  void used_buffer() override;
  void config_changed() override;
  void raise(uint32_t bits);
  void reset_locked();
  void driver_ok_locked();
  void needs_reset_locked(const std::string& why);
  void on_queue_event(unsigned q);

  uint64_t base_;
  IrqLine irq_;
  const memory::GuestRam& ram_;
  std::unique_ptr<VirtioDevice> device_;
  EventLoop& loop_;

  std::mutex mutex_;  // transport state and device processing
  std::vector<Virtqueue> queues_;
  std::vector<std::unique_ptr<EventFd>> notify_;
  std::atomic<uint32_t> status_{0};
  uint32_t device_features_sel_ = 0, driver_features_sel_ = 0, queue_sel_ = 0;
  uint64_t driver_features_ = 0;
  uint32_t config_generation_ = 0;
  bool active_ = false;

  std::mutex irq_mutex_;
  uint32_t interrupt_status_ = 0;
};

}  // namespace vessel::devices::virtio
