// What every virtio transport does the same way (virtio 1.2 sections 2 and 3): feature
// negotiation, the status state machine, queue setup and activation, the interrupt status
// (used buffer, configuration change) behind one interrupt line, and queue work handed to the
// I/O thread through one eventfd per queue. A transport (virtio-mmio, virtio-pci) only maps
// its registers onto this; the device behind it knows neither.
#pragma once
#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/event_loop.h"
#include "devices/irq_line.h"
#include "devices/virtio/virtio_device.h"

namespace vessel::devices::virtio {

constexpr uint32_t kStatusAcknowledge = 1, kStatusDriver = 2, kStatusDriverOk = 4, kStatusFeaturesOk = 8,
                   kStatusNeedsReset = 64, kStatusFailed = 128;
constexpr uint32_t kInterruptUsed = 1, kInterruptConfig = 2;

class TransportCore : private Interrupt {
 public:
  // `label` names the device in log messages ("virtio-blk at 0x10001000", "... at 00:01.0").
  // `device` is taken by reference so that a caller may name it in `label` in the same call.
  TransportCore(std::string label, IrqLine irq, const memory::GuestRam& ram, std::unique_ptr<VirtioDevice>&& device,
                EventLoop& loop);
  ~TransportCore() override;
  TransportCore(const TransportCore&) = delete;
  TransportCore& operator=(const TransportCore&) = delete;

  VirtioDevice& device() { return *device_; }
  const VirtioDevice& device() const { return *device_; }
  uint32_t status() const { return status_.load(); }
  // The driver's queue notification (hot path: no lock, wakes the I/O thread).
  void notify(uint64_t queue) {
    if (queue < notify_.size()) notify_[queue]->signal();
  }

  // Register state and operations; the caller holds mutex() (one register access at a time).
  std::mutex& mutex() { return mutex_; }
  uint32_t device_features_sel = 0, driver_features_sel = 0, queue_sel = 0;
  uint64_t offered_features() const;
  uint32_t device_features_word() const;  // the 32 bits device_features_sel selects
  uint32_t driver_features_word() const;  // the 32 bits driver_features_sel selects
  void write_driver_features(uint32_t half);
  void write_status(uint32_t value);  // 0 resets the device
  uint32_t config_generation() const { return config_generation_; }
  unsigned num_queues() const { return static_cast<unsigned>(queues_.size()); }
  Virtqueue* selected_queue() { return queue_sel < queues_.size() ? &queues_[queue_sel] : nullptr; }
  uint16_t selected_queue_max() const;
  // The selected queue's layout may change: it exists, is not enabled and the driver is not running.
  bool selected_queue_writable();
  uint64_t read_config(uint64_t offset, unsigned size);
  void write_config(uint64_t offset, unsigned size, uint64_t value);

  // Interrupt status (its own lock: the I/O thread raises it while a vCPU reads registers).
  uint32_t interrupt_status();
  void acknowledge(uint32_t bits);     // virtio-mmio InterruptACK
  uint32_t take_interrupt_status();    // virtio-pci ISR: reading clears it and lowers the line

  // Snapshot persistence (transport_persist.cpp), with the I/O thread stopped: the registers,
  // every queue and the device's own state. Restore re-activates a live device and re-signals
  // its queues so chains made available before the snapshot are taken.
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

  std::string label_;
  IrqLine irq_;
  const memory::GuestRam& ram_;
  std::unique_ptr<VirtioDevice> device_;
  EventLoop& loop_;

  std::mutex mutex_;  // register state and device processing
  std::vector<Virtqueue> queues_;
  std::vector<std::unique_ptr<EventFd>> notify_;
  std::atomic<uint32_t> status_{0};
  uint64_t driver_features_ = 0;
  uint32_t config_generation_ = 0;
  bool active_ = false;

  std::mutex irq_mutex_;
  uint32_t interrupt_status_ = 0;
};

}  // namespace vessel::devices::virtio
