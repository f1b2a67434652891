// Sv39/Sv48/Sv57 page walk and the out-of-line slow paths of the soft TLB.
#include <cstring>

#include "cpu/riscv/hart.h"

namespace vessel::riscv {
namespace {

constexpr uint64_t kPteV = 1, kPteR = 2, kPteW = 4, kPteX = 8, kPteU = 16, kPteA = 64, kPteD = 128;
constexpr uint64_t kPteN = 1ull << 63;            // Svnapot
constexpr uint64_t kPtePbmt = 3ull << 61;         // Svpbmt: 0 PMA, 1 NC, 2 IO, 3 reserved
constexpr uint64_t kPteReserved = 0x7full << 54;  // bits 60:54
constexpr uint64_t kPpnMask = (1ull << 44) - 1;
constexpr uint64_t kNapot64K = 8;  // ppn[3:0] of a 64 KiB NAPOT leaf (the only size defined)
constexpr uint64_t kPageMask = kPageSize - 1;

unsigned levels_for_mode(uint64_t mode) { return mode == 8 ? 3 : mode == 9 ? 4 : 5; }

void fill(TlbArray& arr, uint64_t vaddr, uint8_t* host_page) {
  TlbEntry& e = arr.fill_slot(vaddr >> kPageShift);
  e.vpn = vaddr >> kPageShift;
  e.addend = reinterpret_cast<uintptr_t>(host_page) - (vaddr & ~kPageMask);
}

Exception page_fault_for(Access a) {
  return a == Access::Fetch  ? Exception::InstructionPageFault
         : a == Access::Load ? Exception::LoadPageFault
                             : Exception::StorePageFault;
}
Exception access_fault_for(Access a) {
  return a == Access::Fetch  ? Exception::InstructionAccessFault
         : a == Access::Load ? Exception::LoadAccessFault
                             : Exception::StoreAccessFault;
}

}  // namespace

Priv Hart::effective_data_priv() const {
  if (priv == Priv::Machine && (csr.mstatus & mstatus::kMPRV))
    return static_cast<Priv>((csr.mstatus >> mstatus::kMPPShift) & 3);
  return priv;
}

void Hart::update_tlb_context() {
  auto ctx = [](Priv p, bool sum) -> uint8_t {
    switch (p) {
      case Priv::User: return kCtxUser;
      case Priv::Supervisor: return sum ? kCtxSupervisorSum : kCtxSupervisor;
      default: return kCtxMachine;
    }
  };
  fetch_ctx = ctx(priv, false);
  data_ctx = ctx(effective_data_priv(), (csr.mstatus & mstatus::kSUM) != 0);
}

void Hart::flush_tlb() {
  for (auto& s : tlb) s.flush();
  ++tlb_epoch;
}

bool Hart::translation_enabled(Priv eff) const { return eff != Priv::Machine && (csr.satp >> 60) != 0; }

Hart::WalkResult Hart::translate(uint64_t vaddr, Access access, Priv eff, uint64_t& paddr) {
  if (!translation_enabled(eff)) {
    paddr = vaddr;
    return WalkResult::Ok;
  }
  const unsigned levels = levels_for_mode(csr.satp >> 60);
  const unsigned va_bits = kPageShift + 9 * levels;
  // Bits above the virtual address width must copy its top bit.
  if (static_cast<uint64_t>(static_cast<int64_t>(vaddr << (64 - va_bits)) >> (64 - va_bits)) != vaddr)
    return WalkResult::PageFault;

  const bool sum = csr.mstatus & mstatus::kSUM, mxr = csr.mstatus & mstatus::kMXR;
restart:
  uint64_t table = (csr.satp & kPpnMask) << kPageShift;
  for (int level = static_cast<int>(levels) - 1; level >= 0; --level) {
    const uint64_t index = (vaddr >> (kPageShift + 9 * level)) & 511;
    uint8_t* slot = as.ram_ptr(table + index * 8, 8);
    if (!slot) return WalkResult::AccessFault;
    uint64_t pte = __atomic_load_n(reinterpret_cast<uint64_t*>(slot), __ATOMIC_ACQUIRE);
    // Bits 60:54 are reserved: a PTE using them is invalid.
    if (!(pte & kPteV) || ((pte & (kPteR | kPteW)) == kPteW) || (pte & kPteReserved)) return WalkResult::PageFault;
    uint64_t ppn = (pte >> 10) & kPpnMask;
    if (!(pte & (kPteR | kPteX))) {  // pointer to the next level: N and PBMT are reserved there
      if (level == 0 || (pte & (kPteN | kPtePbmt))) return WalkResult::PageFault;
      table = ppn << kPageShift;
      continue;
    }
    // Leaf. Memory types are accepted (and ignored: host memory is coherent) only with
    // Svpbmt enabled by menvcfg.PBMTE; value 3 is reserved.
    if (const uint64_t pbmt = pte & kPtePbmt;
        pbmt && (!has(Ext::Svpbmt) || !(csr.menvcfg & envcfg::kPBMTE) || pbmt == kPtePbmt))
      return WalkResult::PageFault;
    if (pte & kPteN) {
      // Svnapot: a 4 KiB leaf standing for the aligned 64 KiB range; ppn[3:0] come from the vaddr.
      if (!has(Ext::Svnapot) || level != 0 || (ppn & 15) != kNapot64K) return WalkResult::PageFault;
      ppn = (ppn & ~15ull) | ((vaddr >> kPageShift) & 15);
    }
    // Privilege and permission checks.
    if (eff == Priv::User && !(pte & kPteU)) return WalkResult::PageFault;
    if (eff == Priv::Supervisor && (pte & kPteU) && (access == Access::Fetch || !sum)) return WalkResult::PageFault;
    switch (access) {
      case Access::Fetch:
        if (!(pte & kPteX)) return WalkResult::PageFault;
        break;
      case Access::Load:
        if (!(pte & kPteR) && !(mxr && (pte & kPteX))) return WalkResult::PageFault;
        break;
      case Access::Store:
        if (!(pte & kPteW)) return WalkResult::PageFault;
        break;
    }
    const uint64_t low_mask = (1ull << (9 * level)) - 1;  // ppn bits a superpage leaves to the vaddr
    if (ppn & low_mask) return WalkResult::PageFault;  // misaligned superpage
    // Hardware A/D update, atomically so that other harts' walks and stores see it.
    const uint64_t want = kPteA | (access == Access::Store ? kPteD : 0);
    if ((pte & want) != want) {
      if (!__atomic_compare_exchange_n(reinterpret_cast<uint64_t*>(slot), &pte, pte | want, false, __ATOMIC_ACQ_REL,
                                       __ATOMIC_ACQUIRE))
        goto restart;  // the PTE changed under us: walk again
      as.ram().mark_dirty(table + index * 8, 8);
    }
    const uint64_t offset_mask = (1ull << (kPageShift + 9 * level)) - 1;
    paddr = ((ppn << kPageShift) & ~offset_mask) | (vaddr & offset_mask);
    return WalkResult::Ok;
  }
  return WalkResult::PageFault;
}

void Hart::raise_for(Access access, WalkResult r, uint64_t vaddr) {
  raise(r == WalkResult::PageFault ? page_fault_for(access) : access_fault_for(access), vaddr);
}

bool Hart::load_slow(uint64_t vaddr, unsigned size, uint64_t& value) {
  const Priv eff = effective_data_priv();
  const uint64_t in_page = kPageSize - (vaddr & kPageMask);
  uint64_t paddr;
  WalkResult r = translate(vaddr, Access::Load, eff, paddr);
  if (r != WalkResult::Ok) {
    raise_for(Access::Load, r, vaddr);
    return false;
  }
  if (size > in_page) {  // misaligned across a page boundary: both halves must translate first
    const uint64_t second_vaddr = vaddr + in_page;
    uint64_t second;
    r = translate(second_vaddr, Access::Load, eff, second);
    if (r != WalkResult::Ok) {
      raise_for(Access::Load, r, second_vaddr);
      return false;
    }
    uint64_t lo = 0, hi = 0;
    bool ok = true;
    for (unsigned i = 0; i < in_page && ok; ++i) {
      uint64_t b;
      ok = as.read(paddr + i, 1, b);
      lo |= b << (8 * i);
    }
    for (unsigned i = 0; i < size - in_page && ok; ++i) {
      uint64_t b;
      ok = as.read(second + i, 1, b);
      hi |= b << (8 * i);
    }
    if (!ok) {
      raise(Exception::LoadAccessFault, vaddr);
      return false;
    }
    value = lo | (hi << (8 * in_page));
    return true;
  }
  if (uint8_t* page = as.ram_ptr(paddr & ~kPageMask, kPageSize)) {
    fill(tlb[data_ctx].read, vaddr, page);
    value = 0;
    memcpy(&value, page + (paddr & kPageMask), size);
    return true;
  }
  if (!as.read(paddr, size, value)) {
    raise(Exception::LoadAccessFault, vaddr);
    return false;
  }
  return true;
}

bool Hart::store_slow(uint64_t vaddr, unsigned size, uint64_t value) {
  const Priv eff = effective_data_priv();
  const uint64_t in_page = kPageSize - (vaddr & kPageMask);
  uint64_t paddr;
  WalkResult r = translate(vaddr, Access::Store, eff, paddr);
  if (r != WalkResult::Ok) {
    raise_for(Access::Store, r, vaddr);
    return false;
  }
  if (size > in_page) {
    const uint64_t second_vaddr = vaddr + in_page;
    uint64_t second;
    r = translate(second_vaddr, Access::Store, eff, second);
    if (r != WalkResult::Ok) {
      raise_for(Access::Store, r, second_vaddr);
      return false;
    }
    // Check both halves are backed before writing anything, so a fault leaves memory unchanged.
    const bool backed = (as.ram_ptr(paddr, in_page) || as.find_mmio(paddr)) &&
                        (as.ram_ptr(second, size - in_page) || as.find_mmio(second));
    bool ok = backed;
    for (unsigned i = 0; i < size && ok; ++i)
      ok = as.write(i < in_page ? paddr + i : second + (i - in_page), 1, (value >> (8 * i)) & 0xff);
    if (!ok) {
      raise(Exception::StoreAccessFault, vaddr);
      return false;
    }
    return true;
  }
  if (uint8_t* page = as.ram_ptr(paddr & ~kPageMask, kPageSize)) {
    // Marked when the write entry is filled: stores that hit it later need no check, and
    // every harvest of the dirty log drops all write entries first.
    as.ram().mark_dirty(paddr);
    fill(tlb[data_ctx].write, vaddr, page);
    memcpy(page + (paddr & kPageMask), &value, size);
    return true;
  }
  if (!as.write(paddr, size, value)) {
    raise(Exception::StoreAccessFault, vaddr);
    return false;
  }
  return true;
}

bool Hart::fetch_slow(uint64_t vaddr, uint32_t& insn) {
  // Fetch one 16-bit parcel at a time: a 32-bit instruction may straddle two pages.
  auto parcel = [&](uint64_t va, uint16_t& out) {
    uint64_t paddr;
    const WalkResult r = translate(va, Access::Fetch, priv, paddr);
    if (r != WalkResult::Ok) {
      raise_for(Access::Fetch, r, va);
      return false;
    }
    uint8_t* page = as.ram_ptr(paddr & ~kPageMask, kPageSize);
    if (!page) {  // code runs from RAM only
      raise(Exception::InstructionAccessFault, va);
      return false;
    }
    fill(tlb[fetch_ctx].fetch, va, page);
    memcpy(&out, page + (paddr & kPageMask), 2);
    return true;
  };
  uint16_t lo, hi = 0;
  if (!parcel(vaddr, lo)) return false;
  if ((lo & 3) == 3 && !parcel(vaddr + 2, hi)) return false;
  insn = lo | (static_cast<uint32_t>(hi) << 16);
  return true;
}

bool Hart::cache_block_op(uint64_t vaddr, bool zero) {
  const uint64_t block = vaddr & ~static_cast<uint64_t>(kCacheBlockBytes - 1);  // never crosses a page
  uint64_t paddr;
  const WalkResult r = translate(block, zero ? Access::Store : Access::Load, effective_data_priv(), paddr);
  if (r != WalkResult::Ok) {
    raise_for(Access::Store, r, vaddr);
    return false;
  }
  if (uint8_t* p = as.ram_ptr(paddr, kCacheBlockBytes)) {
    if (zero) {
      memset(p, 0, kCacheBlockBytes);
      as.ram().mark_dirty(paddr, kCacheBlockBytes);
    }
    return true;
  }
  bool ok = as.find_mmio(paddr) != nullptr;
  for (unsigned at = 0; zero && ok && at < kCacheBlockBytes; at += 8) ok = as.write(paddr + at, 8, 0);
  if (!ok) raise(Exception::StoreAccessFault, vaddr);
  return ok;
}

uint8_t* Hart::atomic_ptr(uint64_t vaddr, unsigned size, bool is_load_reserved) {
  const Access access = is_load_reserved ? Access::Load : Access::Store;
  if (vaddr & (size - 1)) {
    raise(is_load_reserved ? Exception::LoadMisaligned : Exception::StoreMisaligned, vaddr);
    return nullptr;
  }
  // The soft TLB first (the kernel's atomics hit it almost always): an entry exists only for
  // RAM the access was allowed to, and, for stores, with the dirty bit already set. Aligned,
  // so the access cannot leave the page.
  const uint64_t vpn = vaddr >> kPageShift;
  const TlbEntry& e = is_load_reserved ? tlb[data_ctx].read.slot(vpn) : tlb[data_ctx].write.slot(vpn);
  if (e.vpn == vpn) return reinterpret_cast<uint8_t*>(vaddr + e.addend);
  uint64_t paddr;
  const WalkResult r = translate(vaddr, access, effective_data_priv(), paddr);
  if (r != WalkResult::Ok) {
    raise_for(access, r, vaddr);
    return nullptr;
  }
  uint8_t* p = as.ram_ptr(paddr, size);
  if (!p) {
    raise(access_fault_for(access), vaddr);  // no atomics on device memory
    return nullptr;
  }
  if (!is_load_reserved) as.ram().mark_dirty(paddr, size);  // before the entry exists (store_slow)
  if (uint8_t* page = as.ram_ptr(paddr & ~kPageMask, kPageSize))
    fill(is_load_reserved ? tlb[data_ctx].read : tlb[data_ctx].write, vaddr, page);
  return p;
}

}  // namespace vessel::riscv
