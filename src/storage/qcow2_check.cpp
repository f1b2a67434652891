#include "storage/qcow2_check.h"

#include <algorithm>
#include <cinttypes>
#include <cstdarg>
#include <cstdio>
#include <unordered_map>

#include "storage/big_endian.h"
#include "storage/host_file.h"
#include "storage/qcow2_format.h"

namespace vessel::storage::qcow2 {
namespace {

std::string format(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
std::string format(const char* fmt, ...) {
  char buf[256];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  return buf;
}

class Checker {
 public:
  Checker(const HostFile& f, const Header& h, uint64_t file_size, CheckReport& r)
      : f_(f), h_(h), g_(Geometry::of(h)), r_(r), nclusters_((file_size + g_.cluster_size - 1) >> g_.cluster_bits),
        refs_(nclusters_, 0) {}

  // Walks all metadata and counts references; run() then compares with the refcounts.
  void walk();
  void run() {
    walk();
    compare();
  }
  // Off when the stored refcounts are known to be stale (rebuilding a dirty image).
  void verify_copied_flags(bool on) { verify_copied_ = on; }
  std::vector<uint64_t>& references() { return refs_; }

 private:
  bool load_refcount_table();
  uint64_t stored(uint64_t cluster);
  // Counts one reference to each cluster of [offset, offset+len).
  void reference(uint64_t offset, uint64_t len, const char* what);
  void walk_l1(uint64_t l1_offset, uint32_t l1_size, bool active);
  void walk_l2(uint64_t l2_offset, uint64_t first_guest_cluster, bool active);
  void walk_snapshots();
  void compare();

  const HostFile& f_;
  const Header& h_;
  Geometry g_;
  CheckReport& r_;
  uint64_t nclusters_;
  std::vector<uint64_t> refs_;  // computed references per host cluster
  std::vector<uint64_t> table_;
  std::unordered_map<uint64_t, std::vector<uint8_t>> blocks_;
  uint64_t last_host_ = 0;
  bool verify_copied_ = true;
};

bool Checker::load_refcount_table() {
  std::vector<uint8_t> raw(static_cast<size_t>(h_.refcount_table_clusters) * g_.cluster_size);
  if (!f_.read_zero_fill(h_.refcount_table_offset, raw.data(), raw.size()).ok()) {
    r_.messages.push_back("ERROR cannot read the refcount table");
    ++r_.check_errors;
    return false;
  }
  table_.resize(raw.size() / 8);
  for (size_t i = 0; i < table_.size(); ++i) table_[i] = load_be64(&raw[i * 8]);
  return true;
}

uint64_t Checker::stored(uint64_t cluster) {
  const uint64_t k = cluster / g_.refblock_entries;
  if (k >= table_.size()) return 0;
  const uint64_t off = table_[k] & ~511ull;
  if (off == 0 || (off & (g_.cluster_size - 1)) != 0) return 0;
  auto it = blocks_.find(k);
  if (it == blocks_.end()) {
    std::vector<uint8_t> b(g_.cluster_size, 0);
    if (!f_.read_zero_fill(off, b.data(), b.size()).ok()) ++r_.check_errors;
    it = blocks_.emplace(k, std::move(b)).first;
  }
  const std::vector<uint8_t>& b = it->second;
  const uint64_t i = cluster % g_.refblock_entries;
  const uint32_t bits = h_.refcount_bits();
  switch (bits) {
    case 8: return b[i];
    case 16: return load_be16(&b[i * 2]);
    case 32: return load_be32(&b[i * 4]);
    case 64: return load_be64(&b[i * 8]);
    default: return (b[i * bits / 8] >> (i * bits % 8)) & ((1u << bits) - 1);
  }
}

void Checker::reference(uint64_t offset, uint64_t len, const char* what) {
  if (len == 0) return;
  const uint64_t first = offset >> g_.cluster_bits;
  const uint64_t last = (offset + len - 1) >> g_.cluster_bits;
  for (uint64_t c = first; c <= last; ++c) {
    if (c >= nclusters_) {
      r_.messages.push_back(format("ERROR %s at offset 0x%" PRIx64 " is beyond the end of the image file", what,
                                   c << g_.cluster_bits));
      ++r_.corruptions;
      return;
    }
    ++refs_[c];
    r_.image_end_offset = std::max(r_.image_end_offset, (c + 1) << g_.cluster_bits);
  }
}

void Checker::walk_l2(uint64_t l2_offset, uint64_t first_guest_cluster, bool active) {
  std::vector<uint8_t> raw(g_.cluster_size);
  if (!f_.read_exact(l2_offset, raw.data(), raw.size()).ok()) {
    r_.messages.push_back(format("ERROR cannot read L2 table at 0x%" PRIx64, l2_offset));
    ++r_.check_errors;
    return;
  }
  const uint64_t guest_clusters = (h_.size + g_.cluster_size - 1) >> g_.cluster_bits;
  for (uint64_t j = 0; j < g_.l2_entries; ++j) {
    const uint64_t e = load_be64(&raw[j * 8]);
    if (e == 0) continue;
    if (first_guest_cluster + j >= guest_clusters) {
      r_.messages.push_back(format("ERROR L2 entry 0x%" PRIx64 " maps a cluster past the virtual size", e));
      ++r_.corruptions;
      continue;
    }
    if (e & kCompressed) {
      if (e & kCopied) {
        r_.messages.push_back(format("ERROR: compressed cluster with COPIED flag: l2_entry=%" PRIx64, e));
        ++r_.corruptions;
      }
      const uint64_t coff = e & g_.coffset_mask;
      const uint64_t sectors = ((e >> g_.csize_shift) & g_.csize_mask) + 1;
      reference(coff, sectors * 512 - (coff & 511), "compressed cluster");
      if (active) {
        ++r_.allocated_clusters;
        ++r_.compressed_clusters;
      }
      continue;
    }
    const uint64_t off = e & kOffsetMask;
    const bool zero = h_.version >= 3 && (e & kZeroFlag);
    if (e & (kL2ReservedMask | (h_.version >= 3 ? 0 : kZeroFlag))) {
      r_.messages.push_back(format("ERROR L2 entry 0x%" PRIx64 " has reserved bits set", e));
      ++r_.corruptions;
    }
    if (off == 0) {
      if ((e & kCopied) || (!zero && h_.version >= 3)) {
        r_.messages.push_back(format("ERROR invalid L2 entry 0x%" PRIx64, e));
        ++r_.corruptions;
      }
      continue;
    }
    if (off & (g_.cluster_size - 1)) {
      r_.messages.push_back(format("ERROR offset=%" PRIx64 ": data cluster is not properly aligned; L2 entry corrupted", off));
      ++r_.corruptions;
      continue;
    }
    reference(off, g_.cluster_size, "data cluster");
    if (active) {
      if (!zero) ++r_.allocated_clusters;
      if (last_host_ != 0 && off != last_host_ + g_.cluster_size) ++r_.fragmented_clusters;
      last_host_ = off;
      const uint64_t rc = (off >> g_.cluster_bits) < nclusters_ ? stored(off >> g_.cluster_bits) : 0;
      if (verify_copied_ && (rc == 1) != ((e & kCopied) != 0)) {
        r_.messages.push_back(
            format("ERROR OFLAG_COPIED data cluster: l2_entry=%" PRIx64 " refcount=%" PRIu64, e, rc));
        ++r_.corruptions;
      }
    }
  }
}

void Checker::walk_l1(uint64_t l1_offset, uint32_t l1_size, bool active) {
  reference(l1_offset, static_cast<uint64_t>(l1_size) * 8, "L1 table");
  std::vector<uint8_t> raw(static_cast<size_t>(l1_size) * 8);
  if (!raw.empty() && !f_.read_exact(l1_offset, raw.data(), raw.size()).ok()) {
    r_.messages.push_back(format("ERROR cannot read L1 table at 0x%" PRIx64, l1_offset));
    ++r_.check_errors;
    return;
  }
  for (uint32_t i = 0; i < l1_size; ++i) {
    const uint64_t e = load_be64(&raw[i * 8ull]);
    const uint64_t off = e & kOffsetMask;
    if (off == 0) continue;
    if (e & kL1ReservedMask) {
      r_.messages.push_back(format("ERROR L1 entry %u (0x%" PRIx64 ") has reserved bits set", i, e));
      ++r_.corruptions;
    }
    if (off & (g_.cluster_size - 1)) {
      r_.messages.push_back(
          format("ERROR l2_offset=%" PRIx64 ": Table is not cluster aligned; L1 entry corrupted", off));
      ++r_.corruptions;
      continue;
    }
    if ((off >> g_.cluster_bits) >= nclusters_) {
      r_.messages.push_back(format("ERROR L2 table at 0x%" PRIx64 " is beyond the end of the image file", off));
      ++r_.corruptions;
      continue;
    }
    reference(off, g_.cluster_size, "L2 table");
    if (active) {
      const uint64_t rc = stored(off >> g_.cluster_bits);
      if (verify_copied_ && (rc == 1) != ((e & kCopied) != 0)) {
        r_.messages.push_back(format("ERROR OFLAG_COPIED L2 cluster: l1_index=%u l1_entry=%" PRIx64
                                     " refcount=%" PRIu64, i, e, rc));
        ++r_.corruptions;
      }
    }
    walk_l2(off, static_cast<uint64_t>(i) * g_.l2_entries, active);
  }
}

void Checker::walk_snapshots() {
  uint64_t off = h_.snapshots_offset;
  const uint64_t start = off;
  for (uint32_t s = 0; s < h_.nb_snapshots; ++s) {
    uint8_t fixed[40];
    if (!f_.read_exact(off, fixed, sizeof fixed).ok()) {
      r_.messages.push_back("ERROR cannot read the snapshot table");
      ++r_.check_errors;
      return;
    }
    const uint64_t l1_offset = load_be64(fixed);
    const uint32_t l1_size = load_be32(fixed + 8);
    const uint64_t entry_len = 40ull + load_be32(fixed + 36) + load_be16(fixed + 12) + load_be16(fixed + 14);
    off += (entry_len + 7) & ~7ull;
    if ((l1_offset & (g_.cluster_size - 1)) || static_cast<uint64_t>(l1_size) * 8 > kMaxL1Bytes) {
      r_.messages.push_back(format("ERROR snapshot %u has an invalid L1 table", s));
      ++r_.corruptions;
      continue;
    }
    walk_l1(l1_offset, l1_size, false);
  }
  reference(start, off - start, "snapshot table");
}

void Checker::compare() {
  for (uint64_t c = 0; c < nclusters_; ++c) {
    const uint64_t rc = stored(c);
    if (rc == refs_[c]) continue;
    if (rc < refs_[c]) {
      r_.messages.push_back(format("ERROR cluster %" PRIu64 " refcount=%" PRIu64 " reference=%" PRIu64, c, rc, refs_[c]));
      ++r_.corruptions;
    } else {
      r_.messages.push_back(format("Leaked cluster %" PRIu64 " refcount=%" PRIu64 " reference=%" PRIu64, c, rc, refs_[c]));
      ++r_.leaks;
    }
  }
}

void Checker::walk() {
  r_.total_clusters = (h_.size + g_.cluster_size - 1) >> g_.cluster_bits;
  reference(0, g_.cluster_size, "header");
  if (!load_refcount_table()) return;
  reference(h_.refcount_table_offset, static_cast<uint64_t>(h_.refcount_table_clusters) * g_.cluster_size,
            "refcount table");
  for (uint64_t k = 0; k < table_.size(); ++k) {
    const uint64_t off = table_[k] & ~511ull;
    if (off == 0) continue;
    if (off & (g_.cluster_size - 1)) {
      r_.messages.push_back(format("ERROR refcount block %" PRIu64 " is not cluster aligned; refcount table entry corrupted", k));
      ++r_.corruptions;
      table_[k] = 0;
      continue;
    }
    reference(off, g_.cluster_size, "refcount block");
  }
  walk_l1(h_.l1_table_offset, h_.l1_size, true);
  if (h_.nb_snapshots > 0) walk_snapshots();
}

}  // namespace

Result<std::vector<uint64_t>> count_references(const HostFile& file, const Header& header, uint64_t file_size) {
  CheckReport report;
  Checker c(file, header, file_size, report);
  c.verify_copied_flags(false);
  c.walk();
  if (report.corruptions || report.check_errors)
    return Error{"metadata is damaged: " + (report.messages.empty() ? std::string("unreadable") : report.messages[0])};
  return std::move(c.references());
}

Result<CheckReport> check_image(const std::string& path) {
  auto file = HostFile::open(path, false);
  if (!file) return Error{file.error()};
  auto size = file->size();
  if (!size) return Error{size.error()};
  std::vector<uint8_t> first(512);
  if (!file->read_zero_fill(0, first.data(), first.size()).ok()) return Error{"cannot read '" + path + "'"};
  if (!has_qcow2_magic(first.data(), first.size())) return Error{"'" + path + "' is not a qcow2 image"};
  const uint32_t bits = load_be32(&first[20]);
  if (bits >= kMinClusterBits && bits <= kMaxClusterBits) {
    first.resize(1ull << bits);
    if (!file->read_zero_fill(0, first.data(), first.size()).ok()) return Error{"cannot read '" + path + "'"};
  }
  auto header = parse_header(first, size.value());
  if (!header) return Error{"'" + path + "': " + header.error()};
  CheckReport report;
  Checker(file.value(), header.value(), size.value(), report).run();
  if (header->has_bitmaps_extension)
    report.messages.push_back("Note: persistent bitmaps are not checked; their clusters show as leaks");
  return report;
}

}  // namespace vessel::storage::qcow2
