#include "vmm/disk_copy_target.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "migration/block_codec.h"
#include "storage/image_tools.h"
#include "storage/open_disk.h"
#include "vmm/virtual_machine.h"

namespace vessel::vmm {

DiskCopyTarget::~DiskCopyTarget() {
  images_.clear();
  if (committed_) return;
  for (const std::string& path : created_) unlink(path.c_str());
}

Result<bool> DiskCopyTarget::create(const nlohmann::json& drvs, VmConfig& config) {
  if (!drvs.is_object() || drvs.value("version", 0) != 1 || !drvs.contains("drives") || !drvs["drives"].is_array())
    return Error{"the source's disk list is not one this side understands"};
  const auto& list = drvs["drives"];
  if (list.size() != config.drives.size())
    return Error{"the source's disk list does not match its configuration"};
  images_.resize(list.size());
  sizes_.assign(list.size(), 0);
  paths_.assign(list.size(), std::string());
  std::error_code ec;
  if (!std::filesystem::is_directory(dir_, ec)) return Error{"--migrate-disks-to " + dir_ + ": not a directory"};
  for (size_t i = 0; i < list.size(); ++i) {
    const auto& d = list[i];
    if (!d.is_object() || !d.value("copy", false)) continue;  // read-only: opened where it is
    const std::string name = d.value("file", std::string());
    const auto format = storage::parse_format(d.value("format", std::string()));
    if (name.empty() || name.find('/') != std::string::npos || name == "." || name == ".." || !format ||
        !d.contains("size") || !d["size"].is_number_unsigned())
      return Error{"the source's disk list is malformed"};
    // Two drives may share a file name in different directories: the second gets a prefix.
    std::string path = (std::filesystem::path(dir_) / name).string();
    for (const std::string& other : created_)
      if (other == path) path = (std::filesystem::path(dir_) / (std::to_string(i) + "-" + name)).string();
    // O_EXCL reserves the name: an existing file is never overwritten (nor deleted later).
    const int fd = open(path.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0644);
    if (fd < 0) return Error{"cannot create " + path + ": " + strerror(errno)};
    close(fd);
    created_.push_back(path);
    storage::CreateRequest req;
    req.path = path;
    req.format = *format;
    req.size = d["size"].get<uint64_t>();
    if (*format == storage::DiskFormat::Qcow2) {
      req.cluster_size = d.value("cluster_size", 65536u);
      req.backing_file = d.value("backing_file", std::string());
      const std::string bf = d.value("backing_format", std::string());
      if (!bf.empty()) req.backing_format = storage::parse_format(bf);
    }
    auto made = storage::create_disk(req);
    if (!made) return Error{"cannot create " + path + ": " + made.error()};
    auto image = storage::open_disk(path, *format, false);
    if (!image) return Error{"cannot open " + path + ": " + image.error()};
    sizes_[i] = image.value()->size();
    if (sizes_[i] != req.size) return Error{path + " does not have the source disk's size"};
    images_[i] = std::move(image.value());
    paths_[i] = path;
    config.drives[i].file = path;
    config.drives[i].format = *format;
  }
  return true;
}

Result<bool> DiskCopyTarget::apply(const uint8_t* payload, size_t len) {
  auto rec = migration::decode_blocks(payload, len, sizes_);
  if (!rec) return Error{rec.error()};
  storage::DiskImage* image = images_[rec->drive].get();
  if (!image) return Error{"malformed migration stream: blocks for a disk that is not copied"};
  for (const migration::BlockPiece& b : rec->pieces) {
    const auto s = b.zero ? image->write_zeroes(b.offset, b.length, true) : image->write(b.offset, b.data, b.length);
    if (!s.ok()) return Error{"cannot write the copied disk " + paths_[rec->drive] + ": " + storage::to_string(s.code)};
    bytes_ += b.zero ? 0 : b.length;
  }
  unflushed_ = true;
  return true;
}

Result<bool> DiskCopyTarget::flush_written() {
  if (!unflushed_) return true;
  for (auto& image : images_)
    if (image && !image->flush().ok()) return Error{"cannot flush a copied disk"};
  unflushed_ = false;
  return true;
}

Result<bool> DiskCopyTarget::finish() {
  for (auto& image : images_)
    if (image && !image->flush().ok()) return Error{"cannot flush a copied disk"};
  images_.clear();
  return true;
}

}  // namespace vessel::vmm
