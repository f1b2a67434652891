#include "storage/open_disk.h"

#include <sys/stat.h>

#include "storage/host_file.h"
#include "storage/qcow2_format.h"
#include "storage/qcow2_image.h"
#include "storage/raw_image.h"

namespace vessel::storage {

const char* to_string(DiskFormat f) { return f == DiskFormat::Qcow2 ? "qcow2" : "raw"; }

std::optional<DiskFormat> parse_format(const std::string& name) {
  if (name == "raw") return DiskFormat::Raw;
  if (name == "qcow2") return DiskFormat::Qcow2;
  return std::nullopt;
}

Result<DiskFormat> probe_format(const std::string& path) {
  auto file = HostFile::open(path, false);
  if (!file) return Error{file.error()};
  uint8_t magic[4] = {};
  if (!file->read_zero_fill(0, magic, sizeof magic).ok()) return Error{"cannot read '" + path + "'"};
  return qcow2::has_qcow2_magic(magic, sizeof magic) ? DiskFormat::Qcow2 : DiskFormat::Raw;
}

Result<std::unique_ptr<DiskImage>> open_disk_in_chain(const std::string& path, std::optional<DiskFormat> format,
                                                      bool read_only, OpenChain& chain) {
  if (chain.size() >= static_cast<size_t>(kMaxBackingDepth))
    return Error{"backing chain is deeper than " + std::to_string(kMaxBackingDepth) + " images"};
  struct stat st {};
  if (stat(path.c_str(), &st) == 0) {
    const std::pair<uint64_t, uint64_t> id{st.st_dev, st.st_ino};
    for (const auto& seen : chain)
      if (seen == id) return Error{"backing chain loops back to '" + path + "'"};
    chain.push_back(id);
  }
  auto probed = probe_format(path);
  if (!probed) return Error{probed.error()};
  const DiskFormat detected = probed.value();
  if (format && *format == DiskFormat::Qcow2 && detected != DiskFormat::Qcow2)
    return Error{"'" + path + "' is not a qcow2 image (no qcow2 magic)"};
  const DiskFormat f = format.value_or(detected);
  if (f == DiskFormat::Raw) {
    auto raw = RawImage::open(path, read_only);
    if (!raw) return Error{raw.error()};
    return std::unique_ptr<DiskImage>(std::move(raw.value()));
  }
  auto q = Qcow2Image::open(path, read_only, &chain);
  if (!q) return Error{q.error()};
  return std::unique_ptr<DiskImage>(std::move(q.value()));
}

Result<std::unique_ptr<DiskImage>> open_disk(const std::string& path, std::optional<DiskFormat> format,
                                             bool read_only) {
  OpenChain chain;
  return open_disk_in_chain(path, format, read_only, chain);
}

}  // namespace vessel::storage
