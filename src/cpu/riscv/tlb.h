// Split soft TLB: separate fetch/read/write arrays per translation context, holding
// the host-address offset of a guest virtual page so that a hit is one compare and one add.
#pragma once
#include <cstdint>
#include <cstring>

#include "common/filled_slots.h"

namespace vessel::riscv {

constexpr unsigned kPageShift = 12;
constexpr uint64_t kPageSize = 1ull << kPageShift;
constexpr unsigned kTlbEntries = 1024;  // per array, direct mapped

struct TlbEntry {
  uint64_t vpn = ~0ull;    // guest virtual page number; ~0 = empty
  uintptr_t addend = 0;    // host address = guest virtual address + addend
};

struct TlbArray {
  TlbEntry e[kTlbEntries];
  // Linux flushes on every page fault: clear only what was filled since the last flush.
  FilledSlots<64> filled;

  TlbEntry& slot(uint64_t vpn) { return e[vpn & (kTlbEntries - 1)]; }
  const TlbEntry& slot(uint64_t vpn) const { return e[vpn & (kTlbEntries - 1)]; }
  TlbEntry& fill_slot(uint64_t vpn) {
    const auto index = static_cast<uint16_t>(vpn & (kTlbEntries - 1));
    filled.note(index);
    return e[index];
  }
  void flush() {
    filled.flush([this](uint16_t i) { e[i].vpn = ~0ull; },
                 [this] {
                   for (auto& x : e) x.vpn = ~0ull;
                 });
  }
  void flush_page(uint64_t vpn) {
    auto& x = slot(vpn);
    if (x.vpn == vpn) x.vpn = ~0ull;
  }
};

// One set of arrays per translation context, so privilege changes (every syscall) and
// toggling SUM (every copy to or from user space) need no flush.
enum TlbContext : uint8_t { kCtxUser = 0, kCtxSupervisor = 1, kCtxSupervisorSum = 2, kCtxMachine = 3, kNumCtx = 4 };

struct TlbSet {
  TlbArray fetch, read, write;
  void flush() {
    fetch.flush();
    read.flush();
    write.flush();
  }
};

}  // namespace vessel::riscv
