// Snapshot persistence of a virtio transport's state (the same for virtio-mmio and virtio-pci;
// the PCI transport adds its configuration space) and of its split virtqueues. Requests run to
// completion on the I/O thread, which the VMM stops first: nothing is half-done. Chains the
// driver made available but the device had not taken yet stay in the avail ring (guest
// memory); restore re-signals every queue so they are taken then.
#include "devices/virtio/transport_core.h"
#include "snapshot/state_stream.h"

namespace vessel::devices::virtio {

void Virtqueue::save_state(snapshot::StateWriter& out) const {
  out.u16(size);
  out.boolean(ready);
  out.u64(desc_addr);
  out.u64(avail_addr);
  out.u64(used_addr);
  out.boolean(event_idx_);
  out.u16(last_avail_);
  out.u16(used_idx_);
  out.u16(signalled_used_);
}

bool Virtqueue::restore_state(snapshot::StateReader& in, uint16_t max_size) {
  size = in.u16();
  if (size > max_size) in.fail("queue size " + std::to_string(size) + " above the device's maximum");
  ready = in.boolean();
  desc_addr = in.u64();
  avail_addr = in.u64();
  used_addr = in.u64();
  event_idx_ = in.boolean();
  last_avail_ = in.u16();
  used_idx_ = in.u16();
  signalled_used_ = in.u16();
  return in.ok();
}

void TransportCore::save_state(snapshot::StateWriter& out) {
  std::lock_guard lock(mutex_);
  out.u32(device_->device_id());
  out.u32(status_.load());
  out.u32(device_features_sel);
  out.u32(driver_features_sel);
  out.u32(queue_sel);
  out.u64(driver_features_);
  out.u32(config_generation_);
  out.boolean(active_);
  {
    std::lock_guard irq_lock(irq_mutex_);
    out.u32(interrupt_status_);
  }
  out.u32(static_cast<uint32_t>(queues_.size()));
  for (const Virtqueue& q : queues_) q.save_state(out);
  snapshot::StateWriter dev;
  device_->save_state(dev);
  out.bytes(dev.data().data(), dev.data().size());
}

bool TransportCore::restore_state(snapshot::StateReader& in) {
  std::lock_guard lock(mutex_);
  if (in.u32() != device_->device_id()) in.fail(std::string("slot holds a different device than virtio-") + device_->name());
  const uint32_t status = in.u32();
  device_features_sel = in.u32();
  driver_features_sel = in.u32();
  queue_sel = in.u32();
  driver_features_ = in.u64();
  config_generation_ = in.u32();
  const bool active = in.boolean();
  const uint32_t interrupt_status = in.u32() & 3;
  if (in.u32() != queues_.size()) in.fail("number of queues differs");
  for (unsigned q = 0; q < queues_.size() && in.ok(); ++q)
    queues_[q].restore_state(in, device_->queue_max_size(q));
  const std::vector<uint8_t> dev = in.bytes(in.remaining());
  if (!in.finish()) return false;

  status_ = status;
  active_ = false;
  if (active) {
    std::string error;
    for (auto& q : queues_)
      if (q.ready && !q.validate(ram_, error)) {
        in.fail("queue: " + error);
        return false;
      }
    const ActiveState state{&ram_, &queues_, this, driver_features_};
    if (!device_->activate(state, error)) {
      in.fail(error);
      return false;
    }
    active_ = true;
  }
  snapshot::StateReader dev_in(dev.data(), dev.size(), std::string("virtio-") + device_->name());
  if (!device_->restore_state(dev_in) || !dev_in.finish()) {
    in.fail(dev_in.error());
    return false;
  }
  {
    std::lock_guard irq_lock(irq_mutex_);
    interrupt_status_ = interrupt_status;
    irq_.set(interrupt_status_ != 0);
  }
  if (active_)
    for (auto& n : notify_) n->signal();
  return true;
}

}  // namespace vessel::devices::virtio
