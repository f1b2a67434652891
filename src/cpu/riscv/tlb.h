// Split soft TLB: separate fetch/read/write arrays per translation context, holding
// the host-address offset of a guest virtual page so that a hit is one compare and one add.
#pragma once
#include <cstdint>
#include <cstring>

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
  // Slots filled since the last flush, so that a flush (Linux issues one per page fault)
  // clears a few entries instead of the whole array. More than kTracked: clear everything.
  static constexpr unsigned kTracked = 64;
  uint16_t filled[kTracked] = {};
  unsigned filled_count = 0;

  TlbEntry& slot(uint64_t vpn) { return e[vpn & (kTlbEntries - 1)]; }
  TlbEntry& fill_slot(uint64_t vpn) {
    const auto index = static_cast<uint16_t>(vpn & (kTlbEntries - 1));
    if (filled_count < kTracked) filled[filled_count] = index;
    if (filled_count <= kTracked) ++filled_count;
    return e[index];
  }
  void flush() {
    if (filled_count <= kTracked) {
      for (unsigned i = 0; i < filled_count; ++i) e[filled[i]].vpn = ~0ull;
    } else {
      for (auto& x : e) x.vpn = ~0ull;
    }
    filled_count = 0;
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
