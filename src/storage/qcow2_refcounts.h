// qcow2 refcounts: the two-level refcount structure, kept in memory with dirty tracking, and
// the cluster allocator built on it.
//
// Crash-safety rule: a cluster's refcount must be on disk before any L1/L2 entry pointing to it,
// and a decrement must reach the disk only after the entries stop pointing to it. So increments
// are applied at once (and written by write_dirty(), before L2 tables), while decrements are
// queued by free_later() and applied by apply_frees() after the L2 tables are durable.
#pragma once
#include <cstdint>
#include <functional>
#include <unordered_map>
#include <vector>

#include "storage/host_file.h"
#include "storage/qcow2_format.h"

namespace vessel::storage::qcow2 {

class Refcounts {
 public:
  // Called (after the new table is durable) when the refcount table moves; it must update the
  // image header durably.
  using TableMoved = std::function<IoStatus(uint64_t offset, uint32_t clusters)>;

  Refcounts(const HostFile& file, const Geometry& g, TableMoved on_moved)
      : file_(file), g_(g), on_moved_(std::move(on_moved)) {}

  IoStatus load(uint64_t table_offset, uint32_t table_clusters, uint64_t file_size);

  IoStatus get(uint64_t cluster, uint64_t* refcount);
  // One new cluster with refcount 1; *host_offset is its byte offset.
  IoStatus allocate(uint64_t* host_offset);
  // Queues one decrement of every cluster touched by [offset, offset+len).
  void free_later(uint64_t offset, uint64_t len);
  bool has_pending_frees() const { return !pending_frees_.empty(); }
  // Writes dirty refcount blocks, then (after a sync) the table if it changed. Not synced.
  IoStatus write_dirty();
  // Applies queued decrements, punches holes into clusters that became free, writes the blocks.
  IoStatus apply_frees();
  bool dirty() const;
  // Makes the refcounts equal `references` (one count per host cluster, from the metadata),
  // creating refcount blocks as needed. For images whose dirty bit says they are stale.
  IoStatus rebuild(const std::vector<uint64_t>& references);

  // Past every cluster in use: metadata pointing here or beyond is corrupt.
  uint64_t end_offset() const { return end_cluster_ << g_.cluster_bits; }
  uint64_t table_offset() const { return table_offset_; }
  uint32_t table_clusters() const { return table_clusters_; }
  uint64_t max_refcount() const { return g_.refcount_order == 6 ? ~0ull : (1ull << (1u << g_.refcount_order)) - 1; }

 private:
  struct Block {
    std::vector<uint8_t> data;  // on-disk bytes
    bool dirty = false;
  };

  IoStatus block(uint64_t table_index, Block** out);  // *out == nullptr when not allocated
  uint64_t entry(const Block& b, uint64_t i) const;
  void set_entry(Block& b, uint64_t i, uint64_t value);
  IoStatus set(uint64_t cluster, uint64_t value);
  IoStatus grow_table(uint64_t needed_index);
  IoStatus add_block(uint64_t table_index);

  const HostFile& file_;
  Geometry g_;
  TableMoved on_moved_;
  uint64_t table_offset_ = 0;
  uint32_t table_clusters_ = 0;
  std::vector<uint64_t> table_;  // host-endian entries
  bool table_dirty_ = false;
  std::unordered_map<uint64_t, Block> blocks_;  // by table index; all loaded blocks stay
  std::vector<uint64_t> pending_frees_;         // cluster indices
  uint64_t free_hint_ = 0;                      // no free cluster below this index
  uint64_t end_cluster_ = 0;                    // first cluster past the file and all allocations
};

}  // namespace vessel::storage::qcow2
