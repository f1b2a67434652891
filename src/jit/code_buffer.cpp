#include "jit/code_buffer.h"

#include <sys/mman.h>

namespace vessel::jit {

CodeBuffer::CodeBuffer(size_t size) : size_(size) {
  void* p = mmap(nullptr, size, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p != MAP_FAILED) base_ = static_cast<uint8_t*>(p);
}

void CodeBuffer::discard_from(size_t offset) {
  if (base_ && offset < size_) madvise(base_ + offset, size_ - offset, MADV_DONTNEED);
}

CodeBuffer::~CodeBuffer() {
  if (base_) munmap(base_, size_);
}

}  // namespace vessel::jit
