// RawImage: the virtual disk is the file, byte for byte. Thread-safe: every request is one or
// more pread/pwrite calls on a shared descriptor and there is no other state.
#pragma once
#include <memory>

#include "storage/disk_image.h"
#include "storage/host_file.h"

namespace vessel::storage {

class RawImage final : public DiskImage {
 public:
  static Result<std::unique_ptr<RawImage>> open(const std::string& path, bool read_only);
  // Creates a sparse raw file of `size` bytes.
  static Result<bool> create(const std::string& path, uint64_t size);

  uint64_t size() const override { return size_; }
  bool read_only() const override { return read_only_; }
  DiskFormat format() const override { return DiskFormat::Raw; }
  IoStatus read(uint64_t offset, void* buffer, size_t len) override;
  IoStatus write(uint64_t offset, const void* data, size_t len) override;
  IoStatus flush() override;
  IoStatus discard(uint64_t offset, uint64_t len) override;
  IoStatus write_zeroes(uint64_t offset, uint64_t len, bool may_unmap) override;
  IoStatus allocated(uint64_t offset, uint64_t len, bool* out) override;
  ImageInfo info() const override;

 private:
  RawImage(HostFile file, uint64_t size, bool read_only)
      : file_(std::move(file)), size_(size), read_only_(read_only) {}
  bool in_range(uint64_t offset, uint64_t len) const { return offset <= size_ && len <= size_ - offset; }

  HostFile file_;
  uint64_t size_;
  bool read_only_;
};

}  // namespace vessel::storage
