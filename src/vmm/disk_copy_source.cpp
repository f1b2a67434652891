#include "vmm/disk_copy_source.h"

#include <algorithm>
#include <filesystem>

#include "devices/virtio/block/block_device.h"
#include "migration/block_codec.h"
#include "migration/stream.h"
#include "storage/dirty_blocks.h"
#include "storage/disk_image.h"
#include "vmm/virtual_machine.h"

namespace vessel::vmm {

constexpr uint64_t kBlock = storage::DirtyBlocks::kDefaultBlockBytes;

// One DBLK record being filled for one drive; sent when full or when the drive changes.
class BlockBatch {
 public:
  explicit BlockBatch(uint32_t drive) : writer_(drive) {}
  migration::BlockRecordWriter& writer() { return writer_; }
  Result<bool> flush(migration::Channel& ch) {
    if (writer_.count() == 0) return true;
    const std::vector<uint8_t> payload = writer_.take();
    return migration::send_record(ch, migration::RecordType::Blocks, {{payload.data(), payload.size()}});
  }
  Result<bool> maybe_flush(migration::Channel& ch) {
    return writer_.count() >= migration::kBlocksPerRecord ? flush(ch) : Result<bool>{true};
  }

 private:
  migration::BlockRecordWriter writer_;
};

Result<nlohmann::json> DiskCopySource::describe() {
  drives_.clear();
  nlohmann::json list = nlohmann::json::array();
  const VmConfig config = vm_.current_config();
  const auto& devices = vm_.drives();
  for (uint32_t i = 0; i < devices.size() && i < config.drives.size(); ++i) {
    const DriveSpec& spec = config.drives[i];
    storage::DiskImage& image = devices[i]->image();
    const storage::ImageInfo info = image.info();
    nlohmann::json d{{"index", i}, {"file", std::filesystem::path(spec.file).filename().string()}};
    // A read-only drive cannot change: the destination opens it where it is, like a backing file.
    if (spec.read_only || image.read_only()) {
      d["copy"] = false;
      list.push_back(d);
      continue;
    }
    if (info.snapshots > 0)
      return Error{"disk " + spec.file + " has internal snapshots, which a disk copy would not carry; "
                   "delete them or migrate over shared storage"};
    if (info.corrupt) return Error{"disk " + spec.file + " is marked corrupt; repair it (vessel img check -r) first"};
    d["copy"] = true;
    d["format"] = storage::to_string(info.format);
    d["size"] = image.size();
    if (info.format == storage::DiskFormat::Qcow2) {
      d["cluster_size"] = info.cluster_size;
      // The resolved path: the chain stays where it is, and the new image may live elsewhere.
      if (!info.backing_file.empty()) {
        d["backing_file"] = std::filesystem::absolute(info.backing_path).lexically_normal().string();
        d["backing_format"] = info.backing_format;
      }
    }
    list.push_back(d);
    drives_.push_back(Drive{i, &image, nullptr, !info.backing_file.empty(), {}});
  }
  if (drives_.empty()) return Error{"--migrate-disks: the VM has no writable disk to copy"};
  return nlohmann::json{{"version", 1}, {"block_bytes", kBlock}, {"drives", list}};
}

void DiskCopySource::start_tracking() {
  for (Drive& d : drives_) d.dirty = &vm_.drives()[d.index]->start_tracking();
}

void DiskCopySource::stop_tracking() {
  for (Drive& d : drives_)
    if (d.dirty) {
      vm_.drives()[d.index]->stop_tracking();
      d.dirty = nullptr;
    }
}

Result<bool> DiskCopySource::send_block(migration::Channel& ch, Drive& d, uint64_t block, bool first_pass,
                                        BlockBatch& batch) {
  const uint64_t offset = block * kBlock;
  const uint64_t size = d.image->size();
  if (offset >= size) return true;
  const uint32_t len = static_cast<uint32_t>(std::min(kBlock, size - offset));
  if (first_pass) {
    bool allocated = true;
    if (!d.image->allocated(offset, len, &allocated).ok()) allocated = true;  // when unsure, send it
    if (!allocated) return true;
  }
  std::vector<uint8_t> buf(len);
  if (auto s = d.image->read(offset, buf.data(), len); !s.ok())
    return Error{"cannot read disk " + std::to_string(d.index) + " at " + std::to_string(offset)};
  const bool zero = migration::is_zero_block(buf.data(), len);
  // A fresh destination image reads as zeros unless a backing file shows through.
  if (zero && first_pass && !d.has_backing) return true;
  if (zero) {
    batch.writer().add_zero(offset, len);
  } else {
    batch.writer().add_data(offset, buf.data(), len);
  }
  {
    std::lock_guard lock(mutex_);
    ++blocks_sent_;
    if (zero) ++zero_blocks_;
    else bytes_sent_ += len;
  }
  return batch.maybe_flush(ch);
}

Result<bool> DiskCopySource::send_all(migration::Channel& ch, const std::atomic<bool>& cancel) {
  {
    std::lock_guard lock(mutex_);
    total_bytes_ = 0;
    for (const Drive& d : drives_) total_bytes_ += d.image->size();
  }
  for (Drive& d : drives_) {
    BlockBatch batch(d.index);
    const uint64_t blocks = (d.image->size() + kBlock - 1) / kBlock;
    for (uint64_t b = 0; b < blocks; ++b) {
      if (cancel || vm_.stopping()) return Error{"the VM stopped during the migration"};
      if (auto r = send_block(ch, d, b, true, batch); !r) return r;
      std::lock_guard lock(mutex_);
      scanned_bytes_ = std::min(scanned_bytes_ + kBlock, total_bytes_);
    }
    if (auto r = batch.flush(ch); !r) return r;
  }
  return true;
}

uint64_t DiskCopySource::harvest() {
  uint64_t n = 0;
  for (Drive& d : drives_) {
    if (!d.dirty) continue;
    d.dirty->harvest(d.pending);
    std::sort(d.pending.begin(), d.pending.end());
    d.pending.erase(std::unique(d.pending.begin(), d.pending.end()), d.pending.end());
    n += d.pending.size();
  }
  std::lock_guard lock(mutex_);
  pending_blocks_ = n;
  return n;
}

uint64_t DiskCopySource::pending_bytes() const {
  std::lock_guard lock(mutex_);
  return pending_blocks_ * kBlock;
}

Result<bool> DiskCopySource::send_pending(migration::Channel& ch, const std::atomic<bool>& cancel, bool last) {
  for (Drive& d : drives_) {
    BlockBatch batch(d.index);
    for (uint64_t b : d.pending) {
      if (cancel) return Error{"the migration was cancelled"};
      if (auto r = send_block(ch, d, b, false, batch); !r) return r;
      std::lock_guard lock(mutex_);
      if (pending_blocks_) --pending_blocks_;
      if (last) ++blocks_last_;
    }
    if (auto r = batch.flush(ch); !r) return r;
    d.pending.clear();
  }
  return true;
}

void DiskCopySource::report(nlohmann::json& status) const {
  std::lock_guard lock(mutex_);
  status["disk_bytes_sent"] = bytes_sent_;
  status["disk_blocks_sent"] = blocks_sent_;
  status["disk_zero_blocks"] = zero_blocks_;
  status["disk_dirty_blocks"] = pending_blocks_;
  status["disk_blocks_last"] = blocks_last_;
  status["disk_bytes"] = total_bytes_;
  status["disk_scanned_bytes"] = scanned_bytes_;  // of the first pass, holes included
}

}  // namespace vessel::vmm
