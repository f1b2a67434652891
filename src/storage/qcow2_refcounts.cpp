#include "storage/qcow2_refcounts.h"

#include <algorithm>

#include "common/log.h"
#include "storage/big_endian.h"

namespace vessel::storage::qcow2 {
namespace {
// Host offsets must fit the 56-bit offset fields of L1/L2 entries.
constexpr uint64_t kMaxHostOffset = 1ull << 56;
}  // namespace

IoStatus Refcounts::load(uint64_t table_offset, uint32_t table_clusters, uint64_t file_size) {
  table_offset_ = table_offset;
  table_clusters_ = table_clusters;
  std::vector<uint8_t> raw(table_clusters * g_.cluster_size);
  VESSEL_TRY_IO(file_.read_zero_fill(table_offset, raw.data(), raw.size()));
  table_.resize(raw.size() / 8);
  for (size_t i = 0; i < table_.size(); ++i) table_[i] = load_be64(&raw[i * 8]);
  end_cluster_ = (file_size + g_.cluster_size - 1) >> g_.cluster_bits;
  return IoStatus::success();
}

uint64_t Refcounts::entry(const Block& b, uint64_t i) const {
  const uint32_t bits = 1u << g_.refcount_order;
  switch (bits) {
    case 8: return b.data[i];
    case 16: return load_be16(&b.data[i * 2]);
    case 32: return load_be32(&b.data[i * 4]);
    case 64: return load_be64(&b.data[i * 8]);
    default: {  // 1, 2, 4 bits: bit 0 is the least significant bit of the byte
      const uint64_t bit = i * bits;
      return (b.data[bit / 8] >> (bit % 8)) & ((1u << bits) - 1);
    }
  }
}

void Refcounts::set_entry(Block& b, uint64_t i, uint64_t value) {
  const uint32_t bits = 1u << g_.refcount_order;
  switch (bits) {
    case 8: b.data[i] = static_cast<uint8_t>(value); break;
    case 16: store_be16(&b.data[i * 2], static_cast<uint16_t>(value)); break;
    case 32: store_be32(&b.data[i * 4], static_cast<uint32_t>(value)); break;
    case 64: store_be64(&b.data[i * 8], value); break;
    default: {
      const uint64_t bit = i * bits;
      const uint8_t mask = static_cast<uint8_t>(((1u << bits) - 1) << (bit % 8));
      b.data[bit / 8] = static_cast<uint8_t>((b.data[bit / 8] & ~mask) | ((value << (bit % 8)) & mask));
    }
  }
  b.dirty = true;
}

IoStatus Refcounts::block(uint64_t table_index, Block** out) {
  *out = nullptr;
  if (table_index >= table_.size()) return IoStatus::success();
  if (auto it = blocks_.find(table_index); it != blocks_.end()) {
    *out = &it->second;
    return IoStatus::success();
  }
  const uint64_t e = table_[table_index];
  const uint64_t off = e & ~511ull;
  if (off == 0) return IoStatus::success();
  if ((off & (g_.cluster_size - 1)) != 0 || (off >> g_.cluster_bits) >= end_cluster_) {
    LOG_ERROR("qcow2 %s: refcount block offset 0x%llx is invalid", file_.path().c_str(),
              static_cast<unsigned long long>(off));
    return IoStatus::error(IoCode::Corrupt);
  }
  Block b;
  b.data.resize(g_.cluster_size);
  VESSEL_TRY_IO(file_.read_zero_fill(off, b.data.data(), b.data.size()));
  *out = &blocks_.emplace(table_index, std::move(b)).first->second;
  return IoStatus::success();
}

IoStatus Refcounts::get(uint64_t cluster, uint64_t* refcount) {
  Block* b;
  VESSEL_TRY_IO(block(cluster / g_.refblock_entries, &b));
  *refcount = b ? entry(*b, cluster % g_.refblock_entries) : 0;
  return IoStatus::success();
}

IoStatus Refcounts::set(uint64_t cluster, uint64_t value) {
  Block* b;
  VESSEL_TRY_IO(block(cluster / g_.refblock_entries, &b));
  if (!b) return IoStatus::error(IoCode::Corrupt);  // callers make sure the block exists
  set_entry(*b, cluster % g_.refblock_entries, value);
  return IoStatus::success();
}

IoStatus Refcounts::allocate(uint64_t* host_offset) {
  uint64_t i = free_hint_;
  for (;;) {
    if ((i + 1) << g_.cluster_bits > kMaxHostOffset) return IoStatus::error(IoCode::NoSpace);
    const uint64_t k = i / g_.refblock_entries;
    if (k >= table_.size()) {
      VESSEL_TRY_IO(grow_table(k));
      i = free_hint_;  // the new table and blocks took clusters: look again
      continue;
    }
    Block* b;
    VESSEL_TRY_IO(block(k, &b));
    if (!b) {
      // A missing refcount block is placed in the first cluster it describes, which is free
      // (all of its refcounts are zero) and so it describes itself.
      Block nb;
      nb.data.assign(g_.cluster_size, 0);
      table_[k] = i << g_.cluster_bits;
      table_dirty_ = true;
      Block& placed = blocks_.emplace(k, std::move(nb)).first->second;
      set_entry(placed, i % g_.refblock_entries, 1);
      end_cluster_ = std::max(end_cluster_, i + 1);
      ++i;
      continue;
    }
    if (entry(*b, i % g_.refblock_entries) == 0) {
      set_entry(*b, i % g_.refblock_entries, 1);
      free_hint_ = i + 1;
      end_cluster_ = std::max(end_cluster_, i + 1);
      *host_offset = i << g_.cluster_bits;
      return IoStatus::success();
    }
    ++i;
  }
}

IoStatus Refcounts::grow_table(uint64_t needed_index) {
  const uint64_t start = end_cluster_;  // nothing at or past it is in use
  uint64_t entries = std::max<uint64_t>(needed_index + 1, table_.size() * 2);
  uint64_t table_clusters = 0, new_blocks = 0;
  auto missing = [&](uint64_t k) { return k >= table_.size() || table_[k] == 0; };
  for (;;) {
    table_clusters = (entries * 8 + g_.cluster_size - 1) >> g_.cluster_bits;
    // Blocks for the clusters the new table and blocks occupy, placed right after the table.
    for (;;) {
      const uint64_t last = start + table_clusters + new_blocks - 1;
      uint64_t count = 0;
      for (uint64_t k = start / g_.refblock_entries; k <= last / g_.refblock_entries; ++k) count += missing(k);
      if (count == new_blocks) break;
      new_blocks = count;
    }
    const uint64_t covered = (start + table_clusters + new_blocks + g_.refblock_entries - 1) / g_.refblock_entries;
    if (covered <= entries) break;
    entries = covered;
  }
  if (table_clusters * g_.cluster_size > kMaxRefcountTableBytes ||
      ((start + table_clusters + new_blocks) << g_.cluster_bits) > kMaxHostOffset)
    return IoStatus::error(IoCode::NoSpace);

  const uint64_t old_offset = table_offset_;
  const uint64_t old_clusters = table_clusters_;
  std::vector<uint64_t> table(table_clusters * g_.cluster_size / 8, 0);
  std::copy(table_.begin(), table_.end(), table.begin());
  uint64_t next_block = start + table_clusters;
  const uint64_t last = start + table_clusters + new_blocks - 1;
  for (uint64_t k = start / g_.refblock_entries; k <= last / g_.refblock_entries; ++k) {
    if (!missing(k)) continue;
    table[k] = next_block++ << g_.cluster_bits;
    Block nb;
    nb.data.assign(g_.cluster_size, 0);
    blocks_[k] = std::move(nb);
  }
  table_ = std::move(table);
  for (uint64_t c = start; c <= last; ++c) VESSEL_TRY_IO(set(c, 1));
  end_cluster_ = last + 1;

  // New blocks and table first, durable, then the header switches over to them.
  table_offset_ = start << g_.cluster_bits;
  table_clusters_ = static_cast<uint32_t>(table_clusters);
  table_dirty_ = true;
  VESSEL_TRY_IO(write_dirty());
  VESSEL_TRY_IO(file_.sync());
  VESSEL_TRY_IO(on_moved_(table_offset_, table_clusters_));
  free_later(old_offset, old_clusters * g_.cluster_size);
  return IoStatus::success();
}

IoStatus Refcounts::add_block(uint64_t k) {
  if (k >= table_.size()) VESSEL_TRY_IO(grow_table(k));
  if (table_[k] != 0) return IoStatus::success();  // growing the table created it
  uint64_t off;
  VESSEL_TRY_IO(allocate(&off));
  if (table_[k] != 0) return set(off >> g_.cluster_bits, 0);  // allocate() placed block k itself
  table_[k] = off;
  table_dirty_ = true;
  Block nb;
  nb.data.assign(g_.cluster_size, 0);
  blocks_[k] = std::move(nb);
  return IoStatus::success();
}

IoStatus Refcounts::rebuild(const std::vector<uint64_t>& refs) {
  // New blocks go past everything in use.
  end_cluster_ = std::max<uint64_t>(end_cluster_, refs.size());
  free_hint_ = end_cluster_;
  const uint64_t existing = table_.size();
  for (uint64_t k = 0; k < existing; ++k) {
    Block* b;
    VESSEL_TRY_IO(block(k, &b));
    if (!b) continue;
    for (uint64_t i = 0; i < g_.refblock_entries; ++i)
      if (k * g_.refblock_entries + i >= refs.size() && entry(*b, i) != 0) set_entry(*b, i, 0);
  }
  for (uint64_t c = 0; c < refs.size(); ++c) {
    const uint64_t k = c / g_.refblock_entries;
    Block* b;
    VESSEL_TRY_IO(block(k, &b));
    if (!b) {
      if (refs[c] == 0) continue;
      VESSEL_TRY_IO(add_block(k));
      VESSEL_TRY_IO(block(k, &b));
      if (!b) return IoStatus::error(IoCode::Corrupt);
    }
    if (refs[c] > max_refcount()) return IoStatus::error(IoCode::Corrupt);
    if (entry(*b, c % g_.refblock_entries) != refs[c]) set_entry(*b, c % g_.refblock_entries, refs[c]);
  }
  free_hint_ = 0;
  return IoStatus::success();
}

void Refcounts::free_later(uint64_t offset, uint64_t len) {
  if (len == 0) return;
  const uint64_t first = offset >> g_.cluster_bits;
  const uint64_t last = (offset + len - 1) >> g_.cluster_bits;
  for (uint64_t c = first; c <= last; ++c) pending_frees_.push_back(c);
}

bool Refcounts::dirty() const {
  if (table_dirty_) return true;
  for (const auto& [k, b] : blocks_)
    if (b.dirty) return true;
  return false;
}

IoStatus Refcounts::write_dirty() {
  for (auto& [k, b] : blocks_) {
    if (!b.dirty) continue;
    VESSEL_TRY_IO(file_.write_all(table_[k] & ~511ull, b.data.data(), b.data.size()));
    b.dirty = false;
  }
  if (table_dirty_) {
    // The table may only point at blocks that are already on disk.
    VESSEL_TRY_IO(file_.sync());
    std::vector<uint8_t> raw(static_cast<size_t>(table_clusters_) * g_.cluster_size, 0);
    for (size_t i = 0; i < table_.size() && i * 8 < raw.size(); ++i) store_be64(&raw[i * 8], table_[i]);
    VESSEL_TRY_IO(file_.write_all(table_offset_, raw.data(), raw.size()));
    table_dirty_ = false;
  }
  return IoStatus::success();
}

IoStatus Refcounts::apply_frees() {
  std::vector<uint64_t> frees;
  frees.swap(pending_frees_);
  for (const uint64_t c : frees) {
    uint64_t rc;
    VESSEL_TRY_IO(get(c, &rc));
    if (rc == 0) {
      LOG_ERROR("qcow2 %s: freeing cluster %llu whose refcount is already zero", file_.path().c_str(),
                static_cast<unsigned long long>(c));
      continue;
    }
    VESSEL_TRY_IO(set(c, rc - 1));
    if (rc == 1) {
      free_hint_ = std::min(free_hint_, c);
      // Give the space back to the host; failure only costs space.
      (void)file_.punch_hole(c << g_.cluster_bits, g_.cluster_size);
    }
  }
  return write_dirty();
}

}  // namespace vessel::storage::qcow2
