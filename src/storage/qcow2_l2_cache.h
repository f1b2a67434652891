// A fixed-capacity LRU cache of L2 tables, keyed by their host offset. Entries are kept in host
// byte order. The cache never writes: the image writes dirty victims (it owns the ordering).
#pragma once
#include <cstddef>
#include <cstdint>
#include <unordered_map>
#include <vector>

namespace vessel::storage::qcow2 {

class L2Cache {
 public:
  struct Table {
    uint64_t offset = 0;
    std::vector<uint64_t> entries;
    bool dirty = false;
    uint64_t last_use = 0;
  };

  explicit L2Cache(size_t capacity) : capacity_(capacity < 2 ? 2 : capacity) {}

  // Pointers stay valid until the table is erased (node-based map).
  Table* find(uint64_t offset);
  bool full() const { return tables_.size() >= capacity_; }
  // The least recently used table (only meaningful when full()).
  Table* victim();
  void erase(uint64_t offset) { tables_.erase(offset); }
  Table* insert(uint64_t offset, std::vector<uint64_t> entries, bool dirty);

  template <typename F>
  void for_each(F&& f) {
    for (auto& [off, t] : tables_) f(t);
  }

 private:
  size_t capacity_;
  uint64_t clock_ = 0;
  std::unordered_map<uint64_t, Table> tables_;
};

}  // namespace vessel::storage::qcow2
