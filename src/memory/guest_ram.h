// Guest RAM: one anonymous private mapping with no swap reservation, so untouched
// pages cost the host nothing.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

#include "memory/dirty_bitmap.h"

namespace vessel::memory {

class GuestRam {
 public:
  GuestRam() = default;
  GuestRam(const GuestRam&) = delete;
  GuestRam& operator=(const GuestRam&) = delete;
  ~GuestRam();

  // Maps `size` bytes for guest physical [base, base+size). Returns an error text on failure.
  // `huge_pages`: ask for transparent huge pages (see guest_ram.cpp).
  [[nodiscard]] std::string map(uint64_t base, uint64_t size, bool huge_pages = false);

  // Offers the guest's pages to KSM (MADV_MERGEABLE): identical pages of many VMs (zeroed
  // memory, the same kernel) are then shared copy-on-write by the host. False with errno when
  // the host kernel has no KSM.
  bool make_mergeable();

  uint64_t base() const { return base_; }
  uint64_t size() const { return size_; }
  uint8_t* host() const { return host_; }

  bool contains(uint64_t paddr, uint64_t len) const {
    return paddr >= base_ && len <= size_ && paddr - base_ <= size_ - len;
  }
  // Host pointer for guest physical paddr; caller has checked contains().
  uint8_t* at(uint64_t paddr) const { return host_ + (paddr - base_); }

  // Writers of guest memory outside the harts' TLB fast path call this after writing
  // [paddr, paddr+len) (caller has checked contains()); see dirty_bitmap.h.
  void mark_dirty(uint64_t paddr, uint64_t len = 1) const {
    if (!len) return;
    const uint64_t first = (paddr - base_) >> DirtyBitmap::kPageShift;
    const uint64_t last = (paddr - base_ + len - 1) >> DirtyBitmap::kPageShift;
    for (uint64_t p = first; p <= last; ++p) dirty_.mark(p);
  }
  DirtyBitmap& dirty_log() const { return dirty_; }

 private:
  uint64_t base_ = 0;
  uint64_t size_ = 0;
  uint8_t* host_ = nullptr;
  mutable DirtyBitmap dirty_;  // marking does not change what the guest sees
};

}  // namespace vessel::memory
