#include "storage/qcow2_l2_cache.h"

namespace vessel::storage::qcow2 {

L2Cache::Table* L2Cache::find(uint64_t offset) {
  auto it = tables_.find(offset);
  if (it == tables_.end()) return nullptr;
  it->second.last_use = ++clock_;
  return &it->second;
}

L2Cache::Table* L2Cache::victim() {
  Table* best = nullptr;
  for (auto& [off, t] : tables_)
    if (!best || t.last_use < best->last_use) best = &t;
  return best;
}

L2Cache::Table* L2Cache::insert(uint64_t offset, std::vector<uint64_t> entries, bool dirty) {
  Table& t = tables_[offset];
  t.offset = offset;
  t.entries = std::move(entries);
  t.dirty = dirty;
  t.last_use = ++clock_;
  return &t;
}

}  // namespace vessel::storage::qcow2
