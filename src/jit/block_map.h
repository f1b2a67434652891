// Block starts of one hart -> their translation.
// Open addressing with linear probing: the dispatcher looks a block start up on every
// jump-cache miss (a boot does about a million), where a node-based map's allocation and
// pointer chasing showed at the top of the profile.
#pragma once
#include <cstdint>
#include <vector>

#include "jit/block.h"

namespace vessel::jit {

struct BlockKey {
  const uint8_t* guest = nullptr;  // host address of the first instruction (nullptr: empty slot)
  uint64_t pc = 0;
  uint8_t ctx = 0;
  bool operator==(const BlockKey&) const = default;
  uint64_t hash() const { return (reinterpret_cast<uintptr_t>(guest) ^ (pc << 17) ^ ctx) * 0x9E3779B97F4A7C15ull; }
};

class BlockMap {
 public:
  struct Entry {
    BlockKey key;
    Block* block = nullptr;  // nullptr: not translated yet
  };

  BlockMap() { clear(); }

  // The entry for `key`, inserted empty if missing. Valid until the next insert or erase.
  Entry& find_or_insert(const BlockKey& key) {
    if (2 * (used_ + 1) > slots_.size()) grow();
    size_t i = slot_of(key);
    while (slots_[i].key.guest) {
      if (slots_[i].key == key) return slots_[i];
      i = (i + 1) & mask_;
    }
    ++used_;
    slots_[i] = Entry{key};
    return slots_[i];
  }

  // The translation of `key`, or nullptr.
  Block* find(const BlockKey& key) const {
    for (size_t i = slot_of(key); slots_[i].key.guest; i = (i + 1) & mask_)
      if (slots_[i].key == key) return slots_[i].block;
    return nullptr;
  }

  void erase(const BlockKey& key) {
    size_t i = slot_of(key);
    while (slots_[i].key.guest && !(slots_[i].key == key)) i = (i + 1) & mask_;
    if (!slots_[i].key.guest) return;
    // Backward-shift deletion: move later members of the probe run into the hole.
    for (size_t hole = i, j = (i + 1) & mask_;; j = (j + 1) & mask_) {
      if (!slots_[j].key.guest) {
        slots_[hole] = Entry{};
        break;
      }
      const size_t home = slot_of(slots_[j].key);
      // Entry j may fill the hole if its home does not lie cyclically in (hole, j].
      if (((j - home) & mask_) >= ((j - hole) & mask_)) {
        slots_[hole] = slots_[j];
        hole = j;
      }
    }
    --used_;
  }

  void clear(size_t capacity = kInitialSlots) {
    slots_.assign(capacity, Entry{});
    mask_ = capacity - 1;
    used_ = 0;
  }
  // Gives the memory back (an idle hart).
  void release() {
    std::vector<Entry>().swap(slots_);
    clear();
  }

 private:
  static constexpr size_t kInitialSlots = 4096;

  size_t slot_of(const BlockKey& k) const { return static_cast<size_t>(k.hash() >> 32) & mask_; }

  void grow() {
    std::vector<Entry> old;
    old.swap(slots_);
    clear(old.size() * 2);
    for (const Entry& e : old)
      if (e.key.guest) find_or_insert(e.key) = e;
  }

  std::vector<Entry> slots_;
  size_t mask_ = 0;
  size_t used_ = 0;
};

}  // namespace vessel::jit
