// An event count: threads that wait for a condition other threads change sleep on it instead of
// polling. Whoever changes something a waiter may be waiting for calls notify(); a waiter reads
// epoch(), checks its condition, and wait(epoch) then returns as soon as anything was notified
// since that read, so no notification between the check and the sleep is lost.
#pragma once
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>

namespace vessel {

class EventCount {
 public:
  uint64_t epoch() const { return epoch_.load(std::memory_order_seq_cst); }

  void notify() {
    epoch_.fetch_add(1, std::memory_order_seq_cst);
    // Nobody asleep is the common case: then no lock and no system call.
    if (waiters_.load(std::memory_order_seq_cst) == 0) return;
    { std::lock_guard lock(mutex_); }  // a waiter between its check and its sleep holds mutex_
    cv_.notify_all();
  }

  void wait(uint64_t seen) {
    std::unique_lock lock(mutex_);
    waiters_.fetch_add(1, std::memory_order_seq_cst);
    cv_.wait(lock, [&] { return epoch_.load(std::memory_order_seq_cst) != seen; });
    waiters_.fetch_sub(1, std::memory_order_relaxed);
  }

 private:
  std::atomic<uint64_t> epoch_{0};
  std::atomic<unsigned> waiters_{0};
  std::mutex mutex_;
  std::condition_variable cv_;
};

}  // namespace vessel
