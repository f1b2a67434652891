// CPU cap of one VM, as a fraction of one host core (0.25 = a quarter of a core, 2.0 = two
// cores), enforced inside the VMM without cgroups: time is cut into 10 ms slices; the vCPU
// threads charge the CPU time they used (CLOCK_THREAD_CPUTIME_ID) at batch boundaries to the
// slice, and once the VM has used cap x 10 ms they sleep until the next slice. Overshoot
// (a batch finishing past the budget) is carried as debt into the next slices, so the long-run
// share is exact. The sleep ends early when the VM stops or pauses (wake()).
#pragma once
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <vector>

namespace vessel::vmm {

class CpuBudget {
 public:
  static constexpr uint64_t kSliceNs = 10'000'000;

  explicit CpuBudget(unsigned vcpus) : meters_(vcpus) {}

  // 0 = unlimited. Takes effect at the next batch boundary of every vCPU.
  void set_cap(double cap);
  double cap() const;
  // Between batches on vCPU `id`'s own thread: charges its CPU time and sleeps if the VM is over
  // budget, until the next slice or until `interrupted()` (stop, pause) holds.
  void charge(unsigned id, const std::function<bool()>& interrupted) {
    if (budget_ns_.load(std::memory_order_relaxed) == 0) return;  // uncapped: one load per batch
    charge_slow(id, interrupted);
  }
  // Ends any throttling sleep now (stop, pause, cap change).
  void wake();
  // Nanoseconds vCPUs spent throttled, summed over vCPUs.
  uint64_t throttled_ns() const { return throttled_ns_.load(std::memory_order_relaxed); }

  // CPU time of the calling thread.
  static uint64_t thread_cpu_ns();

 private:
  struct Meter {
    uint64_t last_cpu_ns = 0;
    uint64_t generation = 0;  // cap changes reset the baseline
  };
  void charge_slow(unsigned id, const std::function<bool()>& interrupted);
  void advance_slice(uint64_t now_ns);  // with mutex_ held

  std::vector<Meter> meters_;  // each touched only by its own vCPU thread
  std::atomic<uint64_t> budget_ns_{0};  // per slice; 0 = unlimited
  std::atomic<uint64_t> generation_{1};
  std::atomic<uint64_t> throttled_ns_{0};
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  double cap_ = 0;
  uint64_t slice_start_ns_ = 0;
  uint64_t used_ns_ = 0;  // CPU charged to the current slice (may exceed the budget: debt)
};

}  // namespace vessel::vmm
