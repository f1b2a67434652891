// A fixed-capacity array of trivially copyable elements in its own anonymous mapping:
// address space is reserved on first use, memory is touched as the array fills, in
// transparent huge pages where the host has them (one page fault per 2 MiB instead of per
// 4 KiB: faults are what filling a large array costs on a cloud VM), and release() gives
// it all back. Elements never move, so pointers to them stay valid until clear().
#pragma once
#include <sys/mman.h>

#include <cstddef>
#include <cstring>
#include <new>
#include <type_traits>

namespace vessel {

template <typename T>
class MappedArray {
  static_assert(std::is_trivially_copyable_v<T>);

 public:
  explicit MappedArray(size_t capacity) : capacity_(capacity) {}
  // Whether the next mapping asks for huge pages (default) or stays in 4 KiB pages.
  void use_huge_pages(bool on) { huge_pages_ = on; }
  ~MappedArray() { release(); }
  MappedArray(const MappedArray&) = delete;
  MappedArray& operator=(const MappedArray&) = delete;

  size_t size() const { return size_; }
  T* data() const { return data_; }
  const T& operator[](size_t i) const { return data_[i]; }
  // Whether n more elements fit (mapping the array if needed); false if it cannot be mapped.
  bool has_room(size_t n) {
    if (!data_ && !map()) return false;
    return size_ + n <= capacity_;
  }
  // Appends n elements (has_room(n) must hold) and returns where they went.
  T* append(const T* from, size_t n) {
    T* to = data_ + size_;
    memcpy(static_cast<void*>(to), from, n * sizeof(T));
    size_ += n;
    return to;
  }
  T& emplace_back() { return *new (data_ + size_++) T{}; }
  // The whole capacity, zero-filled until written (for arrays indexed directly rather than
  // appended to); nullptr if it cannot be mapped.
  T* map_all() { return data_ || map() ? data_ : nullptr; }
  void clear() { size_ = 0; }
  // Back to zeroes, the memory given back.
  void discard() {
    if (data_) (void)madvise(data_, bytes(), MADV_DONTNEED);
    size_ = 0;
  }
  void release() {
    if (data_) munmap(data_, bytes());
    data_ = nullptr;
    size_ = 0;
  }

 private:
  size_t bytes() const { return capacity_ * sizeof(T); }
  bool map() {
    void* p = mmap(nullptr, bytes(), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) return false;
    if (huge_pages_) (void)madvise(p, bytes(), MADV_HUGEPAGE);
    data_ = static_cast<T*>(p);
    return true;
  }

  size_t capacity_;
  T* data_ = nullptr;
  size_t size_ = 0;
  bool huge_pages_ = true;
};

}  // namespace vessel
