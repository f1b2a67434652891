// Consistency check of a qcow2 image, like `qemu-img check`: walks the active L1/L2 tables
// (and those of internal snapshots), recomputes every host cluster's reference count and
// compares it with the stored refcounts and the COPIED flags. Read-only.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "common/result.h"
#include "storage/host_file.h"
#include "storage/qcow2_format.h"

namespace vessel::storage::qcow2 {

struct CheckReport {
  uint64_t corruptions = 0;   // stored refcount too small, bad offsets, wrong COPIED flags
  uint64_t leaks = 0;         // stored refcount larger than the references
  uint64_t check_errors = 0;  // metadata that could not be read
  uint64_t total_clusters = 0;       // guest clusters
  uint64_t allocated_clusters = 0;
  uint64_t fragmented_clusters = 0;
  uint64_t compressed_clusters = 0;
  uint64_t image_end_offset = 0;
  std::vector<std::string> messages;  // one line per problem, qemu-img wording
};

// References to each host cluster, counted from the L1/L2 tables, refcount structure and
// snapshots alone: what the refcounts should be. Fails when that metadata is itself damaged.
Result<std::vector<uint64_t>> count_references(const HostFile& file, const Header& header, uint64_t file_size);

// Fails only when the file is not a readable qcow2 image; problems inside it are in the report.
Result<CheckReport> check_image(const std::string& path);

}  // namespace vessel::storage::qcow2
