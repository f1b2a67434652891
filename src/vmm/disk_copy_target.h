// The destination side of a live migration with disk copy (`vessel run --incoming ...
// --migrate-disks-to DIR`): from the source's DRVS record it creates one image per copied
// drive in DIR (a sparse raw file of the same size, or a qcow2 over the same backing file),
// points the VM's configuration at them and writes the DBLK records into them. Until
// commit(), the images it created are deleted when it goes: a migration that fails leaves
// nothing behind here.
#pragma once
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/result.h"
#include "storage/disk_image.h"

namespace vessel::vmm {

struct VmConfig;

class DiskCopyTarget {
 public:
  explicit DiskCopyTarget(std::string dir) : dir_(std::move(dir)) {}
  ~DiskCopyTarget();
  DiskCopyTarget(const DiskCopyTarget&) = delete;
  DiskCopyTarget& operator=(const DiskCopyTarget&) = delete;

  // Creates the images and rewrites config.drives[i].file of each copied drive.
  Result<bool> create(const nlohmann::json& drvs, VmConfig& config);
  // One DBLK record.
  Result<bool> apply(const uint8_t* payload, size_t len);
  // Makes what was written so far durable, when there is anything: called between the disk
  // pass and the rounds, so that the flush at the end (inside the downtime) is small.
  Result<bool> flush_written();
  // Everything is written: flush and close this side's handles (the VM reopens the images).
  Result<bool> finish();
  // The VM runs here on the new images: keep them.
  void commit() { committed_ = true; }
  uint64_t bytes_written() const { return bytes_; }

 private:
  std::string dir_;
  std::vector<std::string> created_;
  std::vector<std::unique_ptr<storage::DiskImage>> images_;  // by drive index; nullptr: not copied
  std::vector<uint64_t> sizes_;
  std::vector<std::string> paths_;
  bool committed_ = false;
  uint64_t bytes_ = 0;
  bool unflushed_ = false;
};

}  // namespace vessel::vmm
