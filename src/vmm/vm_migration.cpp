// What a live migration needs from the VM: the dirty log harvest (the harts drop their write
// TLB entries), disks handed over between the two VMMs, and the outgoing migration's lifetime.
#include "devices/virtio/block/block_device.h"
#include "storage/open_disk.h"
#include "vmm/migration_source.h"
#include "vmm/virtual_machine.h"

namespace vessel::vmm {

void VirtualMachine::harvest_dirty(std::vector<uint64_t>& pages) {
  // Harvest first, then make every hart drop its TLB: a store through an entry filled before
  // the harvest (its page marked in this harvest) happens before the hart acknowledges, so
  // the caller, reading pages after this returns, sees it; entries filled afterwards mark anew.
  board_->as.ram().dirty_log().harvest(pages);
  std::vector<uint64_t> ticket(vcpus_.size());
  for (size_t id = 0; id < vcpus_.size(); ++id)
    ticket[id] = vcpus_[id]->flush_requested.fetch_add(1, std::memory_order_seq_cst) + 1;
  hart_events_.notify();  // a hart asleep in a cross-hart wait flushes there
  // As remote_sfence: a hart that runs no guest code now flushes before it runs any.
  for (;;) {
    const uint64_t seen = hart_events_.epoch();
    bool all = true;
    for (size_t id = 0; id < vcpus_.size(); ++id) {
      const Vcpu& v = *vcpus_[id];
      if (!(v.flush_done.load(std::memory_order_acquire) >= ticket[id] || v.quiescent.load() ||
            v.state.load() != machine::HartState::Started || board_->harts[id]->stop_requested.load()))
        all = false;
    }
    if (all || stopping()) return;
    hart_events_.wait(seen);
  }
}

Result<bool> VirtualMachine::reopen_drives() {
  for (size_t i = 0; i < drives_.size() && i < config_.drives.size(); ++i) {
    const DriveSpec& d = config_.drives[i];
    auto image = storage::open_disk(d.file, d.format, d.read_only);
    if (!image) return Error{"disk " + d.file + ": " + image.error()};
    drives_[i]->replace_image(std::move(image.value()));
  }
  config_.incoming = false;
  return true;
}

Result<bool> VirtualMachine::flush_drives() {
  for (size_t i = 0; i < drives_.size(); ++i)
    if (!drives_[i]->image().flush().ok()) return Error{"cannot flush disk " + config_.drives[i].file};
  return true;
}

Result<bool> VirtualMachine::start_migration(const MigrationParams& params) {
  if (stopping()) return Error{"the VM is stopping"};
  std::lock_guard lock(migration_mutex_);
  if (migration_ && migration_->active()) return Error{"a migration is already in progress"};
  auto m = std::make_unique<OutgoingMigration>(*this, params);
  if (auto ok = m->start(); !ok) return ok;
  migration_ = std::move(m);
  return true;
}

bool VirtualMachine::migration_holds_pause() {
  std::lock_guard lock(migration_mutex_);
  return migration_ && migration_->holds_pause();
}

std::string VirtualMachine::migration_status() {
  std::lock_guard lock(migration_mutex_);
  return migration_ ? migration_->status().dump() : std::string();
}

}  // namespace vessel::vmm
