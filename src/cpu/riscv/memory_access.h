// Inline hit paths of the soft TLB for instruction fetch, loads and stores.
// A miss (or a page-crossing access) goes to the out-of-line slow path in mmu.cpp.
#pragma once
#include <cstring>

#include "cpu/riscv/hart.h"

namespace vessel::riscv {

template <typename T>
[[gnu::always_inline]] inline bool load(Hart& h, uint64_t vaddr, T& out) {
  const uint64_t vpn = vaddr >> kPageShift;
  const TlbEntry& e = h.tlb[h.data_ctx].read.slot(vpn);
  if (e.vpn == vpn && (vaddr & (kPageSize - 1)) <= kPageSize - sizeof(T)) [[likely]] {
    memcpy(&out, reinterpret_cast<const void*>(vaddr + e.addend), sizeof(T));
    return true;
  }
  uint64_t raw;
  if (!h.load_slow(vaddr, sizeof(T), raw)) return false;
  out = static_cast<T>(raw);
  return true;
}

template <typename T>
[[gnu::always_inline]] inline bool store(Hart& h, uint64_t vaddr, T value) {
  const uint64_t vpn = vaddr >> kPageShift;
  const TlbEntry& e = h.tlb[h.data_ctx].write.slot(vpn);
  if (e.vpn == vpn && (vaddr & (kPageSize - 1)) <= kPageSize - sizeof(T)) [[likely]] {
    memcpy(reinterpret_cast<void*>(vaddr + e.addend), &value, sizeof(T));
    return true;
  }
  using U = std::make_unsigned_t<T>;
  return h.store_slow(vaddr, sizeof(T), static_cast<U>(value));
}

// Fetches up to 32 bits at pc; the caller decides the length from the low bits.
[[gnu::always_inline]] inline bool fetch(Hart& h, uint64_t pc, uint32_t& insn) {
  const uint64_t vpn = pc >> kPageShift;
  const TlbEntry& e = h.tlb[h.fetch_ctx].fetch.slot(vpn);
  if (e.vpn == vpn && (pc & (kPageSize - 1)) <= kPageSize - 4) [[likely]] {
    memcpy(&insn, reinterpret_cast<const void*>(pc + e.addend), 4);
    return true;
  }
  return h.fetch_slow(pc, insn);
}

}  // namespace vessel::riscv
