// An out-of-line code emitter queued while a block is translated and run after its hot
// path: a small lambda stored inline, so queueing one costs no heap allocation (a boot
// queues a dozen per block, for over ten thousand blocks).
#pragma once
#include <cstddef>
#include <new>
#include <type_traits>

namespace vessel::jit {

class ColdTask {
 public:
  template <typename F>
  ColdTask(F f) : run_([](const void* p) { (*static_cast<const F*>(p))(); }) {  // NOLINT: implicit on purpose
    static_assert(sizeof(F) <= kBytes, "cold-path lambda captures too much");
    static_assert(std::is_trivially_copyable_v<F> && std::is_trivially_destructible_v<F>);
    new (storage_) F(f);
  }
  void operator()() const { run_(storage_); }

 private:
  static constexpr size_t kBytes = 48;
  void (*run_)(const void*);
  alignas(8) unsigned char storage_[kBytes];
};

}  // namespace vessel::jit
