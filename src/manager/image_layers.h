// Applies OCI/Docker image layers (tar, optionally gzip/zstd/xz compressed) onto a directory,
// in order, with the layer whiteouts of the image spec: ".wh.NAME" removes NAME of the lower
// layers, ".wh..wh..opq" empties its directory of them. Entries that would leave the root
// (absolute paths, "..", writes through symlinks) are refused.
#pragma once
#include <string>

#include "common/result.h"

namespace vessel::manager {

Result<bool> apply_layer(const std::string& layer_file, const std::string& root);

// Unpacks a plain archive (a `docker save` tar, an OCI layout tar) into `dir`.
Result<bool> extract_archive(const std::string& archive_file, const std::string& dir);

}  // namespace vessel::manager
