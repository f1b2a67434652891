// Qcow2Image: qcow2 versions 2 and 3 (QEMU's docs/interop/qcow2.txt).
//
// Reads: standard, zero (v3), compressed (zlib) and unallocated clusters, the last from the
// backing chain (zeros past the backing file's end). Writes allocate clusters, copying the rest
// of a partially written cluster from wherever it was (backing file, compressed cluster, zeros).
// Metadata (L1, L2 cache, refcounts) is written back by flush() in crash-safe order; see
// docs/storage.md. All requests are serialized on one mutex.
#pragma once
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "storage/disk_image.h"
#include "storage/host_file.h"
#include "storage/qcow2_format.h"
#include "storage/qcow2_l2_cache.h"
#include "storage/qcow2_refcounts.h"

namespace vessel::storage {

class Qcow2Image final : public DiskImage {
 public:
  // `chain` lists the images above this one in a backing chain (nullptr: none).
  static Result<std::unique_ptr<Qcow2Image>> open(const std::string& path, bool read_only,
                                                  std::vector<std::pair<uint64_t, uint64_t>>* chain = nullptr);
  ~Qcow2Image() override;

  uint64_t size() const override { return h_.size; }
  bool read_only() const override { return read_only_; }
  DiskFormat format() const override { return DiskFormat::Qcow2; }
  IoStatus read(uint64_t offset, void* buffer, size_t len) override;
  IoStatus write(uint64_t offset, const void* data, size_t len) override;
  IoStatus flush() override;
  IoStatus discard(uint64_t offset, uint64_t len) override;
  IoStatus write_zeroes(uint64_t offset, uint64_t len, bool may_unmap) override;
  IoStatus allocated(uint64_t offset, uint64_t len, bool* out) override;
  DiskImage* backing() override { return backing_.get(); }
  // Recounts every cluster's references from the metadata and rewrites the refcounts to match
  // (repairs leaks and too-low refcounts; `vessel img check -r`).
  Result<bool> repair_refcounts();
  ImageInfo info() const override;

 private:
  using L2Table = qcow2::L2Cache::Table;

  Qcow2Image(HostFile file, const qcow2::Header& h, bool read_only);
  Result<bool> load(std::vector<std::pair<uint64_t, uint64_t>>& chain);

  bool in_range(uint64_t offset, uint64_t len) const { return offset <= h_.size && len <= h_.size - offset; }
  // The L2 table mapping guest cluster `gc`; nullptr (when !allocate) if there is none.
  IoStatus l2_for(uint64_t gc, bool allocate, L2Table** table, uint64_t* index);
  IoStatus load_l2(uint64_t offset, L2Table** table);
  IoStatus make_room_in_cache();
  IoStatus write_l2(const L2Table& t);
  // Reads bytes [in, in+n) of guest cluster `gc` whose L2 entry is `entry`.
  IoStatus read_piece(uint64_t gc, uint64_t entry, uint64_t in, uint8_t* buf, uint64_t n);
  IoStatus read_backing(uint64_t guest_offset, uint8_t* buf, uint64_t n);
  IoStatus read_compressed(uint64_t entry);  // into decompressed_
  // Maps the piece for writing. When the data can go straight to the file (an exclusive
  // cluster, or a whole new one) *direct is its host offset and the caller writes it;
  // otherwise (copy-on-write of a partial cluster) the piece is written here and *direct is 0.
  IoStatus write_piece(uint64_t gc, uint64_t in, const uint8_t* data, uint64_t n, uint64_t* direct);
  // Queues the release of whatever host space an L2 entry held.
  void release(uint64_t entry);
  bool reads_as_zero(uint64_t entry) const;
  IoStatus check_entry(uint64_t entry) const;
  IoStatus flush_locked();
  IoStatus write_header_field64(uint64_t offset, uint64_t value);
  Result<bool> rebuild_refcounts(uint64_t file_size);

  mutable std::mutex mu_;
  HostFile file_;
  qcow2::Header h_;
  qcow2::Geometry g_;
  bool read_only_;
  std::vector<uint64_t> l1_;
  bool l1_dirty_ = false;
  qcow2::L2Cache l2_;
  qcow2::Refcounts refs_;
  std::unique_ptr<DiskImage> backing_;
  std::string backing_path_;
  std::vector<uint8_t> scratch_;        // one cluster, for copy-on-write
  std::vector<uint8_t> compressed_;     // raw compressed bytes
  std::vector<uint8_t> decompressed_;   // the last decompressed cluster
  uint64_t decompressed_entry_ = 0;     // its L2 entry (0: none)
};

}  // namespace vessel::storage
