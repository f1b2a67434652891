// Executable memory for translated code: one private read-write-execute mapping, reserved
// up front (untouched pages cost nothing) and handed out from the bottom.
#pragma once
#include <cstddef>
#include <cstdint>

namespace vessel::jit {

class CodeBuffer {
 public:
  explicit CodeBuffer(size_t size);
  ~CodeBuffer();
  CodeBuffer(const CodeBuffer&) = delete;
  CodeBuffer& operator=(const CodeBuffer&) = delete;

  bool ok() const { return base_ != nullptr; }
  uint8_t* base() const { return base_; }
  // Returns the pages from `offset` on to the kernel (they read as zero afterwards).
  void discard_from(size_t offset);
  size_t size() const { return size_; }

 private:
  uint8_t* base_ = nullptr;
  size_t size_ = 0;
};

}  // namespace vessel::jit
