#include "devices/virtio/transport_core.h"

#include <unistd.h>

#include "common/log.h"

namespace vessel::devices::virtio {
namespace {

constexpr uint64_t kTransportFeatures = kFeatureVersion1 | kFeatureIndirectDesc | kFeatureEventIdx;

}  // namespace

TransportCore::TransportCore(std::string label, IrqLine irq, const memory::GuestRam& ram,
                             std::unique_ptr<VirtioDevice>&& device, EventLoop& loop)
    : label_(std::move(label)), irq_(irq), ram_(ram), device_(std::move(device)), loop_(loop),
      queues_(device_->num_queues()) {
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

TransportCore::~TransportCore() {
  for (auto& n : notify_) loop_.remove(n->fd());
  for (const auto& w : device_->backend_watches()) loop_.remove(w.fd);
}

void TransportCore::on_queue_event(unsigned q) {
  std::lock_guard lock(mutex_);
  if (!active_ || (status_ & kStatusNeedsReset) || !queues_[q].ready) return;
  if (!device_->process_queue(q)) needs_reset_locked("malformed queue " + std::to_string(q));
}

void TransportCore::raise(uint32_t bits) {
  std::lock_guard lock(irq_mutex_);
  interrupt_status_ |= bits;
  irq_.set(true);
}
void TransportCore::used_buffer() { raise(kInterruptUsed); }
void TransportCore::config_changed() { raise(kInterruptConfig); }

uint32_t TransportCore::interrupt_status() {
  std::lock_guard lock(irq_mutex_);
  return interrupt_status_;
}

void TransportCore::acknowledge(uint32_t bits) {
  std::lock_guard lock(irq_mutex_);
  interrupt_status_ &= ~bits;
  irq_.set(interrupt_status_ != 0);
}

uint32_t TransportCore::take_interrupt_status() {
  std::lock_guard lock(irq_mutex_);
  const uint32_t bits = interrupt_status_;
  interrupt_status_ = 0;
  irq_.set(false);
  return bits;
}

void TransportCore::needs_reset_locked(const std::string& why) {
  ++device_->counters.guest_errors;
  LOG_WARN("%s: %s; device needs reset", label_.c_str(), why.c_str());
  status_ |= kStatusNeedsReset;
  ++config_generation_;
  if (status_ & kStatusDriverOk) config_changed();
}

void TransportCore::reset_locked() {
  if (active_) device_->reset();
  active_ = false;
  for (auto& q : queues_) q.reset();
  status_ = 0;
  driver_features_ = 0;
  device_features_sel = driver_features_sel = queue_sel = 0;
  std::lock_guard lock(irq_mutex_);
  interrupt_status_ = 0;
  irq_.set(false);
}

void TransportCore::driver_ok_locked() {
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

uint64_t TransportCore::offered_features() const { return device_->device_features() | kTransportFeatures; }

uint32_t TransportCore::device_features_word() const {
  return device_features_sel < 2 ? static_cast<uint32_t>(offered_features() >> (32 * device_features_sel)) : 0;
}

uint32_t TransportCore::driver_features_word() const {
  return driver_features_sel < 2 ? static_cast<uint32_t>(driver_features_ >> (32 * driver_features_sel)) : 0;
}

void TransportCore::write_driver_features(uint32_t half) {
  if (driver_features_sel >= 2 || (status_ & kStatusFeaturesOk)) return;
  const unsigned shift = 32 * driver_features_sel;
  driver_features_ = (driver_features_ & ~(0xffffffffull << shift)) | (uint64_t{half} << shift);
}

void TransportCore::write_status(uint32_t v) {
  if (v == 0) return reset_locked();
  const uint32_t old = status_;
  // A driver only sets bits (virtio 1.2 section 2.1.2), clearing them takes a reset. Clearing
  // DRIVER_OK on a live device would make its queue layout writable again while the device
  // still uses the queues, on addresses nothing validated: refused.
  if (old & ~v & ~kStatusNeedsReset) {
    ++device_->counters.guest_errors;
    LOG_WARN("%s: status 0x%x would clear bits of 0x%x without a reset; ignored", label_.c_str(), v, old);
    return;
  }
  uint32_t next = (old & kStatusNeedsReset) | (v & ~kStatusNeedsReset);
  if ((next & kStatusFeaturesOk) && !(old & kStatusFeaturesOk)) {
    // Refuse features we did not offer, and legacy drivers (VERSION_1 is required).
    if ((driver_features_ & ~offered_features()) || !(driver_features_ & kFeatureVersion1)) next &= ~kStatusFeaturesOk;
  }
  status_ = next;
  if ((next & kStatusDriverOk) && !(old & kStatusDriverOk) && !(next & kStatusFailed)) driver_ok_locked();
}

uint16_t TransportCore::selected_queue_max() const {
  return queue_sel < queues_.size() ? device_->queue_max_size(queue_sel) : 0;
}

bool TransportCore::selected_queue_writable() {
  const Virtqueue* q = selected_queue();
  return q && !q->ready && !(status_ & kStatusDriverOk);
}

uint64_t TransportCore::read_config(uint64_t offset, unsigned size) {
  uint8_t buf[8] = {};
  device_->read_config(offset, buf, size > 8 ? 8 : size);
  uint64_t value = 0;
  for (unsigned i = 0; i < size && i < 8; ++i) value |= uint64_t{buf[i]} << (8 * i);
  return value;
}

void TransportCore::write_config(uint64_t offset, unsigned size, uint64_t value) {
  uint8_t buf[8];
  for (unsigned i = 0; i < size && i < 8; ++i) buf[i] = static_cast<uint8_t>(value >> (8 * i));
  device_->write_config(offset, buf, size > 8 ? 8 : size);
}

}  // namespace vessel::devices::virtio
