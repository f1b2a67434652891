#include "devices/virtio/mmio_transport.h"

#include <unistd.h>

#include <cstdio>

#include "common/log.h"

namespace vessel::devices::virtio {
namespace {

enum : uint64_t {
  kMagic = 0x000, kVersion = 0x004, kDeviceId = 0x008, kVendorId = 0x00c, kDeviceFeatures = 0x010,
  kDeviceFeaturesSel = 0x014, kDriverFeatures = 0x020, kDriverFeaturesSel = 0x024, kQueueSel = 0x030,
  kQueueNumMax = 0x034, kQueueNum = 0x038, kQueueReady = 0x044, kQueueNotify = 0x050, kInterruptStatus = 0x060,
  kInterruptAck = 0x064, kStatus = 0x070, kQueueDescLow = 0x080, kQueueDescHigh = 0x084, kQueueDriverLow = 0x090,
  kQueueDriverHigh = 0x094, kQueueDeviceLow = 0x0a0, kQueueDeviceHigh = 0x0a4, kConfigGeneration = 0x0fc,
  kConfig = 0x100,
};
constexpr uint32_t kMagicValue = 0x74726976;  // "virt"
constexpr uint32_t kVendor = 0x4c535356;      // "VSSL"
constexpr uint32_t kStatusDriverOk = 4, kStatusFeaturesOk = 8, kStatusNeedsReset = 64, kStatusFailed = 128;
constexpr uint32_t kIntUsed = 1, kIntConfig = 2;
constexpr uint64_t kTransportFeatures = kFeatureVersion1 | kFeatureIndirectDesc | kFeatureEventIdx;

void set_half(uint64_t& v, bool high, uint32_t half) {
  v = high ? (v & 0xffffffffull) | (uint64_t{half} << 32) : (v & ~0xffffffffull) | half;
}

}  // namespace

MmioTransport::MmioTransport(uint64_t base, IrqLine irq, const memory::GuestRam& ram,
                             std::unique_ptr<VirtioDevice> device, EventLoop& loop)
    : base_(base), irq_(irq), ram_(ram), device_(std::move(device)), loop_(loop), queues_(device_->num_queues()) {
  for (unsigned q = 0; q < queues_.size(); ++q) {
    notify_.push_back(std::make_unique<EventFd>());
    loop_.add(notify_[q]->fd(), [this, q](uint32_t) {
      notify_[q]->drain();
      on_queue_event(q);
    });
  }
  for (const auto& w : device_->backend_watches())
    loop_.add(w.fd, [this, w](uint32_t) {
      if (w.timer) {  // acknowledge the expiry even if the queue is not live (no busy loop)
        uint64_t expirations;
        (void)!::read(w.fd, &expirations, sizeof expirations);
      }
      on_queue_event(w.queue);
    });
}

MmioTransport::~MmioTransport() {
  for (auto& n : notify_) loop_.remove(n->fd());
  for (const auto& w : device_->backend_watches()) loop_.remove(w.fd);
}

void MmioTransport::on_queue_event(unsigned q) {
  std::lock_guard lock(mutex_);
  if (!active_ || (status_ & kStatusNeedsReset) || !queues_[q].ready) return;
  if (!device_->process_queue(q)) needs_reset_locked("malformed queue " + std::to_string(q));
}

void MmioTransport::raise(uint32_t bits) {
  std::lock_guard lock(irq_mutex_);
  interrupt_status_ |= bits;
  irq_.set(true);
}
void MmioTransport::used_buffer() { raise(kIntUsed); }
void MmioTransport::config_changed() { raise(kIntConfig); }

void MmioTransport::needs_reset_locked(const std::string& why) {
  ++device_->counters.guest_errors;
  LOG_WARN("virtio-%s at 0x%lx: %s; device needs reset", device_->name(), base_, why.c_str());
  status_ |= kStatusNeedsReset;
  ++config_generation_;
  if (status_ & kStatusDriverOk) config_changed();
}

void MmioTransport::reset_locked() {
  if (active_) device_->reset();
  active_ = false;
  for (auto& q : queues_) q.reset();
  status_ = 0;
  driver_features_ = 0;
  device_features_sel_ = driver_features_sel_ = queue_sel_ = 0;
  std::lock_guard lock(irq_mutex_);
  interrupt_status_ = 0;
  irq_.set(false);
}

void MmioTransport::driver_ok_locked() {
  std::string error;
  for (unsigned q = 0; q < queues_.size(); ++q) {
    if (!queues_[q].ready) continue;
    if (!queues_[q].validate(ram_, error)) return needs_reset_locked("queue " + std::to_string(q) + ": " + error);
    queues_[q].set_event_idx(driver_features_ & kFeatureEventIdx);
  }
  const ActiveState state{&ram_, &queues_, this, driver_features_};
  if (!device_->activate(state, error)) return needs_reset_locked(error);
  active_ = true;
  // Buffers the driver queued before DRIVER_OK are processed now.
  for (auto& n : notify_) n->signal();
}

bool MmioTransport::read(uint64_t off, unsigned size, uint64_t& value) {
  std::lock_guard lock(mutex_);
  if (off >= kConfig) {
    uint8_t buf[8] = {};
    device_->read_config(off - kConfig, buf, size);
    value = 0;
    for (unsigned i = 0; i < size; ++i) value |= uint64_t{buf[i]} << (8 * i);
    return true;
  }
  if (size != 4) return false;  // registers are 32-bit
  const uint64_t features = device_->device_features() | kTransportFeatures;
  Virtqueue* q = queue_sel_ < queues_.size() ? &queues_[queue_sel_] : nullptr;
  switch (off) {
    case kMagic: value = kMagicValue; break;
    case kVersion: value = 2; break;
    case kDeviceId: value = device_->device_id(); break;
    case kVendorId: value = kVendor; break;
    case kDeviceFeatures: value = device_features_sel_ < 2 ? static_cast<uint32_t>(features >> (32 * device_features_sel_)) : 0; break;
    case kQueueNumMax: value = q ? device_->queue_max_size(queue_sel_) : 0; break;
    case kQueueReady: value = q ? q->ready : 0; break;
    case kInterruptStatus: {
      std::lock_guard irq_lock(irq_mutex_);
      value = interrupt_status_;
      break;
    }
    case kStatus: value = status_; break;
    case kConfigGeneration: value = config_generation_; break;
    default: value = 0;
  }
  return true;
}

bool MmioTransport::write(uint64_t off, unsigned size, uint64_t value) {
  if (off == kQueueNotify && size == 4) {  // hot path: no lock, just wake the I/O thread
    if (value < notify_.size()) notify_[value]->signal();
    return true;
  }
  std::lock_guard lock(mutex_);
  if (off >= kConfig) {
    uint8_t buf[8];
    for (unsigned i = 0; i < size && i < 8; ++i) buf[i] = static_cast<uint8_t>(value >> (8 * i));
    device_->write_config(off - kConfig, buf, size);
    return true;
  }
  if (size != 4) return false;
  const uint32_t v = static_cast<uint32_t>(value);
  Virtqueue* q = queue_sel_ < queues_.size() ? &queues_[queue_sel_] : nullptr;
  // Queue layout may only change while the queue is not live.
  const bool queue_writable = q && !q->ready && !(status_ & kStatusDriverOk);
  switch (off) {
    case kDeviceFeaturesSel: device_features_sel_ = v; break;
    case kDriverFeaturesSel: driver_features_sel_ = v; break;
    case kDriverFeatures:
      if (driver_features_sel_ < 2 && !(status_ & kStatusFeaturesOk)) {
        uint64_t f = driver_features_;
        set_half(f, driver_features_sel_ == 1, v);
        driver_features_ = f;
      }
      break;
    case kQueueSel: queue_sel_ = v; break;
    case kQueueNum:
      if (queue_writable) q->size = static_cast<uint16_t>(std::min<uint32_t>(v, device_->queue_max_size(queue_sel_)));
      break;
    case kQueueReady:
      if (q && !(status_ & kStatusDriverOk)) q->ready = v & 1;
      break;
    case kQueueDescLow: case kQueueDescHigh:
      if (queue_writable) set_half(q->desc_addr, off == kQueueDescHigh, v);
      break;
    case kQueueDriverLow: case kQueueDriverHigh:
      if (queue_writable) set_half(q->avail_addr, off == kQueueDriverHigh, v);
      break;
    case kQueueDeviceLow: case kQueueDeviceHigh:
      if (queue_writable) set_half(q->used_addr, off == kQueueDeviceHigh, v);
      break;
    case kInterruptAck: {
      std::lock_guard irq_lock(irq_mutex_);
      interrupt_status_ &= ~v;
      irq_.set(interrupt_status_ != 0);
      break;
    }
    case kStatus: {
      if (v == 0) {
        reset_locked();
        break;
      }
      const uint32_t old = status_;
      uint32_t next = (old & kStatusNeedsReset) | (v & ~kStatusNeedsReset);
      if ((next & kStatusFeaturesOk) && !(old & kStatusFeaturesOk)) {
        // Refuse features we did not offer, and legacy drivers (VERSION_1 is required).
        const uint64_t offered = device_->device_features() | kTransportFeatures;
        if ((driver_features_ & ~offered) || !(driver_features_ & kFeatureVersion1)) next &= ~kStatusFeaturesOk;
      }
      status_ = next;
      if ((next & kStatusDriverOk) && !(old & kStatusDriverOk) && !(next & kStatusFailed)) driver_ok_locked();
      break;
    }
    default: break;
  }
  return true;
}

void MmioTransport::add_fdt_node(FdtBuilder& fdt, const FdtContext& ctx) const {
  char name[64];
  snprintf(name, sizeof name, "virtio_mmio@%lx", base_);
  fdt.begin_node(name);
  fdt.prop_string("compatible", "virtio,mmio");
  fdt.prop_reg(base_, kSize);
  fdt.prop_u32("interrupts", irq_.source());
  fdt.prop_u32("interrupt-parent", ctx.plic_phandle);
  fdt.end_node();
}

}  // namespace vessel::devices::virtio
