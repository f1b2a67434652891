// Hart construction, timer interrupts and WFI sleeping.
#include "cpu/riscv/hart.h"

#include <chrono>

namespace vessel::riscv {

Hart::Hart(memory::AddressSpace& space, const Timebase& tb, uint64_t id) : hartid(id), as(space), timebase(tb) {
  update_tlb_context();
}

uint64_t Hart::update_timer_interrupts() {
  const uint64_t now = timebase.now();
  const uint64_t cur = mip.load(std::memory_order_relaxed);
  uint64_t want = (now >= mtimecmp.load(std::memory_order_relaxed)) ? (cur | irq::kMTIP) : (cur & ~irq::kMTIP);
  if (csr.menvcfg >> 63)  // Sstc: STIP follows stimecmp
    want = (now >= csr.stimecmp) ? (want | irq::kSTIP) : (want & ~irq::kSTIP);
  if (want != cur) {
    const uint64_t changed = want ^ cur;
    mip.fetch_or(want & changed, std::memory_order_relaxed);
    mip.fetch_and(~(~want & changed), std::memory_order_relaxed);
  }
  return now;
}

void Hart::set_pending(uint64_t bits, bool level) {
  if (level)
    mip.fetch_or(bits, std::memory_order_release);
  else
    mip.fetch_and(~bits, std::memory_order_release);
  wake();
}

void Hart::wake() {
  std::lock_guard lock(wait_mutex_);
  wait_cv_.notify_all();
}

void Hart::wait_for_interrupt() {
  wfi_sleeps.fetch_add(1, std::memory_order_relaxed);
  std::unique_lock lock(wait_mutex_);
  while (!stop_requested.load(std::memory_order_relaxed) && !park_requested.load(std::memory_order_relaxed)) {
    update_timer_interrupts();
    if (mip.load(std::memory_order_acquire) & csr.mie) break;
    uint64_t deadline = mtimecmp.load(std::memory_order_relaxed);
    if ((csr.menvcfg >> 63) && csr.stimecmp < deadline) deadline = csr.stimecmp;
    const uint64_t wake_ns = timebase.host_ns_at(deadline);
    const uint64_t now_ns = Timebase::host_ns();
    // Bounded sleep: a device raising an interrupt notifies us; the bound covers lost races.
    const uint64_t max_sleep_ns = 100'000'000;
    // A deadline already passed means that timer is pending but masked: it cannot wake us.
    const uint64_t sleep_ns = wake_ns <= now_ns ? max_sleep_ns : std::min(wake_ns - now_ns, max_sleep_ns);
    wait_cv_.wait_for(lock, std::chrono::nanoseconds(sleep_ns));
  }
  if (!park_requested.load(std::memory_order_relaxed)) waiting = false;  // parked harts resume in WFI
}

}  // namespace vessel::riscv
