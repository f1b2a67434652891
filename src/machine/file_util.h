#pragma once
#include <cstddef>
#include <string>
#include <string_view>

#include "common/result.h"

namespace vessel::machine {

// A whole file's bytes: mapped read-only when it is a regular file (kernels and initrds are
// megabytes; the only copy is the caller's into guest RAM), read into memory otherwise.
class FileBytes {
 public:
  FileBytes() = default;
  explicit FileBytes(std::string bytes) : owned_(std::move(bytes)) {}
  FileBytes(void* map, size_t size) : map_(map), map_size_(size) {}
  FileBytes(FileBytes&& other) noexcept { *this = std::move(other); }
  FileBytes& operator=(FileBytes&& other) noexcept;
  ~FileBytes();

  const char* data() const { return map_ ? static_cast<const char*>(map_) : owned_.data(); }
  size_t size() const { return map_ ? map_size_ : owned_.size(); }
  bool empty() const { return size() == 0; }
  std::string_view view() const { return {data(), size()}; }

 private:
  void* map_ = nullptr;
  size_t map_size_ = 0;
  std::string owned_;
};

// Whole-file read with a user-facing error message naming the file.
Result<FileBytes> read_file(const std::string& path);

}  // namespace vessel::machine
