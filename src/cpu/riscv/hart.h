// One RISC-V hart: architectural state, CSRs, the soft TLB and run control.
// The hart knows the guest physical address space and the timebase, nothing about devices.
#pragma once
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>

#include "common/timebase.h"
#include "cpu/riscv/csr_numbers.h"
#include "cpu/riscv/isa_profile.h"
#include "cpu/riscv/tlb.h"
#include "cpu/riscv/trap_cause.h"
#include "memory/address_space.h"

namespace vessel::riscv {

class Hart;

// Hooks into the machine a hart belongs to (the built-in SBI firmware).
class HartHooks {
 public:
  virtual ~HartHooks() = default;
  // An ECALL from S-mode; return true if handled (the hart then continues after the ECALL).
  virtual bool supervisor_ecall(Hart&) { return false; }
};

constexpr unsigned kPmpEntries = 16;

struct CsrFile {
  uint64_t mstatus = (2ull << 32) | (2ull << 34);  // UXL = SXL = 64-bit
  uint64_t medeleg = 0, mideleg = 0, mie = 0, mtvec = 0, mcounteren = 0, menvcfg = 0, mcountinhibit = 0;
  uint64_t mscratch = 0, mepc = 0, mcause = 0, mtval = 0;
  uint64_t stvec = 0, scounteren = 0, senvcfg = 0, sscratch = 0, sepc = 0, scause = 0, stval = 0, satp = 0;
  uint64_t stimecmp = ~0ull;
  uint64_t cycle_base = 0;  // mcycle = instret + cycle_base
  uint8_t fflags = 0, frm = 0;
  uint8_t pmpcfg[kPmpEntries] = {};
  uint64_t pmpaddr[kPmpEntries] = {};
};

class Hart {
 public:
  Hart(memory::AddressSpace& as, const Timebase& timebase, uint64_t hartid);
  Hart(const Hart&) = delete;
  Hart& operator=(const Hart&) = delete;

  // ---- architectural state (public: handlers, the JIT and persistence use it directly)
  uint64_t x[32] = {};
  uint64_t f[32] = {};
  uint64_t pc = 0;
  uint64_t next_pc = 0;     // set before each handler; branches and traps overwrite it
  Priv priv = Priv::Machine;
  uint32_t cur_insn = 0;    // raw bits of the executing instruction (16 or 32 bits), for mtval
  uint64_t instret = 0;
  CsrFile csr;
  std::atomic<uint64_t> mip{0};
  std::atomic<uint64_t> mtimecmp{~0ull};  // owned by the CLINT model, compared by the hart

  // LR/SC reservation: host address and the value observed by LR.
  uint8_t* reservation = nullptr;
  uint64_t reservation_value = 0;

  const uint64_t hartid;
  memory::AddressSpace& as;
  const Timebase& timebase;
  HartHooks* hooks = nullptr;

  // ---- the ISA (--cpu): set before an execution engine is made for the hart
  void set_cpu(CpuProfile profile) {
    cpu = profile;
    ext = extensions_of(profile);
    misa = misa_of(profile);
  }
  bool has(Ext e) const { return ext.has(e); }
  CpuProfile cpu = kDefaultCpu;
  ExtSet ext = extensions_of(kDefaultCpu);
  uint64_t misa = misa_of(kDefaultCpu);

  // ---- run control
  bool trapped = false;          // the current instruction raised an exception
  bool end_batch = false;        // state changed so that interrupts must be re-checked now
  bool waiting = false;          // in WFI
  std::atomic<uint64_t> wfi_sleeps{0};  // times the hart slept in WFI (metrics)
  std::atomic<bool> stop_requested{false};
  std::atomic<bool> park_requested{false};  // leave WFI and the run loop (pause, snapshot)

  // ---- traps
  void raise(Exception cause, uint64_t tval);
  void raise_illegal() { raise(Exception::IllegalInstruction, cur_insn); }
  // Takes the highest-priority enabled pending interrupt, if any. Returns true if taken.
  bool take_interrupt();
  uint64_t pending_enabled_interrupts() const;
  void trap_return_m();
  void trap_return_s();

  // Updates MTIP/STIP from the timebase. Returns the guest time it compared against.
  uint64_t update_timer_interrupts();
  // Sets or clears interrupt-pending bits from any thread and wakes the hart.
  void set_pending(uint64_t bits, bool level);
  void wake();
  // Sleeps in WFI until an interrupt is pending-and-enabled, the timer deadline, or a stop request.
  void wait_for_interrupt();

  // ---- CSRs (csr.cpp). Return false when the access is illegal.
  [[nodiscard]] bool csr_read(uint16_t num, uint64_t& value);
  [[nodiscard]] bool csr_write(uint16_t num, uint64_t value);
  [[nodiscard]] bool csr_accessible(uint16_t num, bool write) const;

  // ---- floating point state helpers
  bool fp_enabled() const { return (csr.mstatus & mstatus::kFS) != 0; }
  void fp_dirty() { csr.mstatus |= mstatus::kFS; }

  // ---- memory (memory_access.h has the inline fast paths)
  TlbSet tlb[kNumCtx];
  uint8_t fetch_ctx = kCtxMachine;
  uint8_t data_ctx = kCtxMachine;
  // Bumped by every flush: translations cached outside the TLB (the JIT's load sites) are
  // valid while it is unchanged.
  uint32_t tlb_epoch = 0;
  void update_tlb_context();
  void flush_tlb();

  // Translated code (the JIT) is valid while this counter is unchanged. FENCE.I and remote
  // FENCE.I bump it; the VMM points every hart of a VM at one shared counter.
  std::atomic<uint64_t> own_code_epoch{0};
  std::atomic<uint64_t>* code_epoch = &own_code_epoch;

  // Slow paths: translate, fill the TLB, perform MMIO or page-crossing accesses.
  [[nodiscard]] bool load_slow(uint64_t vaddr, unsigned size, uint64_t& value);
  [[nodiscard]] bool store_slow(uint64_t vaddr, unsigned size, uint64_t value);
  [[nodiscard]] bool fetch_slow(uint64_t vaddr, uint32_t& insn);
  // Host pointer for an aligned atomic access (AMO, LR/SC); raises the fault otherwise.
  [[nodiscard]] uint8_t* atomic_ptr(uint64_t vaddr, unsigned size, bool is_load_reserved);
  // A cache-block operation on the 64-byte block holding vaddr: checks that a load (zero:
  // a store) may access it and, for zero, writes zeros. Faults are store faults at vaddr.
  [[nodiscard]] bool cache_block_op(uint64_t vaddr, bool zero);

  // Page walk: translates vaddr for `access` at privilege `eff`. On failure returns the
  // exception to raise. Sets A/D bits in the page table as QEMU does.
  enum class WalkResult { Ok, PageFault, AccessFault };
  WalkResult translate(uint64_t vaddr, Access access, Priv eff, uint64_t& paddr);
  Priv effective_data_priv() const;

 private:
  bool translation_enabled(Priv eff) const;
  void raise_for(Access access, WalkResult r, uint64_t vaddr);
  void enter_trap(uint64_t cause, uint64_t tval, bool interrupt);

  std::mutex wait_mutex_;
  std::condition_variable wait_cv_;
};

}  // namespace vessel::riscv
