// Parsing of device options written as QEMU does: `file=disk.qcow2,format=qcow2,readonly=on`.
#pragma once
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "storage/disk_image.h"

namespace vessel::vmm {

struct DriveSpec {
  std::string file;
  std::optional<storage::DiskFormat> format;  // nullopt: detect from the header
  bool read_only = false;
  std::string serial;
};

// "key=value,key=value" (a leading bare word becomes the value of `first_key`).
Result<std::map<std::string, std::string>> parse_options(const std::string& text, const std::string& first_key);
Result<DriveSpec> parse_drive(const std::string& text);
// "on"/"off"/"true"/"false"/"yes"/"no"/"1"/"0"
std::optional<bool> parse_bool(const std::string& text);

}  // namespace vessel::vmm
