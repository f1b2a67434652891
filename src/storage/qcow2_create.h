// Creating empty qcow2 images (what `vessel img create -f qcow2` writes).
#pragma once
#include <cstdint>
#include <string>

#include "common/result.h"

namespace vessel::storage::qcow2 {

struct CreateOptions {
  uint64_t size = 0;               // virtual size in bytes
  uint32_t cluster_size = 65536;   // power of two, 512 B .. 2 MiB
  uint32_t version = 3;            // 2 (compat=0.10) or 3 (compat=1.1)
  uint32_t refcount_bits = 16;     // power of two, 1..64 (version 3 only; version 2 needs 16)
  std::string backing_file;        // stored as given (relative to the image's directory)
  std::string backing_format;      // "raw" / "qcow2"; empty: not recorded
};

// Writes header, refcount table and blocks, and an empty L1 table. Fails without touching the
// file system when the options are invalid.
Result<bool> create_image(const std::string& path, const CreateOptions& options);

}  // namespace vessel::storage::qcow2
