// Opening disk images: the format comes from the file's header unless the caller insists.
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/result.h"
#include "storage/disk_image.h"

namespace vessel::storage {

// Images past this depth are refused: a deeper chain is almost surely a loop.
constexpr int kMaxBackingDepth = 256;

// "raw", "qcow2" -> format; anything else -> nullopt.
std::optional<DiskFormat> parse_format(const std::string& name);

// Detects the format from the first bytes of the file (qcow2 magic, else raw).
Result<DiskFormat> probe_format(const std::string& path);

// Opens an image and, for qcow2, its whole backing chain (read-only). `format` is nullopt for
// auto-detection. An explicit format that contradicts the header is an error, so a raw guest
// disk that happens to hold a qcow2 header is never misread.
Result<std::unique_ptr<DiskImage>> open_disk(const std::string& path, std::optional<DiskFormat> format,
                                             bool read_only);

// The files of a backing chain opened so far (device, inode), to refuse loops.
using OpenChain = std::vector<std::pair<uint64_t, uint64_t>>;

// As open_disk, for the images of a backing chain.
Result<std::unique_ptr<DiskImage>> open_disk_in_chain(const std::string& path, std::optional<DiskFormat> format,
                                                      bool read_only, OpenChain& chain);

}  // namespace vessel::storage
