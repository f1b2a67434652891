#include "vmm/cpu_budget.h"

#include <ctime>

#include "common/timebase.h"

namespace vessel::vmm {

uint64_t CpuBudget::thread_cpu_ns() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000ull + static_cast<uint64_t>(ts.tv_nsec);
}

void CpuBudget::set_cap(double cap) {
  {
    std::lock_guard lock(mutex_);
    cap_ = cap > 0 ? cap : 0;
    used_ns_ = 0;
    slice_start_ns_ = Timebase::host_ns();
    generation_.fetch_add(1, std::memory_order_relaxed);
    budget_ns_.store(static_cast<uint64_t>(cap_ * static_cast<double>(kSliceNs)), std::memory_order_relaxed);
  }
  cv_.notify_all();
}

double CpuBudget::cap() const {
  std::lock_guard lock(mutex_);
  return cap_;
}

void CpuBudget::wake() {
  { std::lock_guard lock(mutex_); }
  cv_.notify_all();
}

void CpuBudget::advance_slice(uint64_t now) {
  if (now < slice_start_ns_ + kSliceNs) return;
  const uint64_t slices = (now - slice_start_ns_) / kSliceNs;
  const uint64_t budget = budget_ns_.load(std::memory_order_relaxed);
  // Unused budget is not saved up (an idle guest gets no burst later); debt is paid back.
  const double pay = static_cast<double>(slices) * static_cast<double>(budget);
  used_ns_ = static_cast<double>(used_ns_) > pay ? used_ns_ - static_cast<uint64_t>(pay) : 0;
  slice_start_ns_ += slices * kSliceNs;
}

void CpuBudget::charge_slow(unsigned id, const std::function<bool()>& interrupted) {
  Meter& m = meters_[id];
  const uint64_t cpu = thread_cpu_ns();
  const uint64_t gen = generation_.load(std::memory_order_relaxed);
  const uint64_t used = m.generation == gen ? cpu - m.last_cpu_ns : 0;
  m.last_cpu_ns = cpu;
  m.generation = gen;
  std::unique_lock lock(mutex_);
  advance_slice(Timebase::host_ns());
  used_ns_ += used;
  const uint64_t start = Timebase::host_ns();
  for (;;) {
    const uint64_t budget = budget_ns_.load(std::memory_order_relaxed);
    if (budget == 0 || used_ns_ < budget || interrupted()) break;
    const uint64_t wake_ns = slice_start_ns_ + kSliceNs;
    const uint64_t now = Timebase::host_ns();
    if (now < wake_ns) cv_.wait_for(lock, std::chrono::nanoseconds(wake_ns - now));
    if (generation_.load(std::memory_order_relaxed) != gen) break;  // new cap: start afresh
    advance_slice(Timebase::host_ns());
  }
  throttled_ns_.fetch_add(Timebase::host_ns() - start, std::memory_order_relaxed);
}

}  // namespace vessel::vmm
