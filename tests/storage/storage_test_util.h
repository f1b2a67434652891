// Helpers for the storage tests: a temporary directory, running host tools (qemu-img), a
// deterministic pattern and an in-memory model of a disk to compare images against.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "storage/disk_image.h"

namespace vessel::storage::test {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

struct CommandResult {
  int status = -1;  // exit status, or -1 if it did not exit normally
  std::string output;  // stdout and stderr together
};

CommandResult run(const std::string& command);
std::string quote(const std::string& s);
bool have_qemu_img();

// Bytes that depend on (seed, offset) only, so any range can be regenerated.
std::vector<uint8_t> pattern(uint64_t seed, uint64_t offset, size_t len);
void write_file(const std::string& path, const std::vector<uint8_t>& data);
std::vector<uint8_t> read_file(const std::string& path);

// Reads the whole virtual disk.
std::vector<uint8_t> read_all(DiskImage& disk);

// Small deterministic PRNG (xorshift64*).
class Rng {
 public:
  explicit Rng(uint64_t seed) : s_(seed ? seed : 1) {}
  uint64_t next() {
    s_ ^= s_ >> 12;
    s_ ^= s_ << 25;
    s_ ^= s_ >> 27;
    return s_ * 2685821657736338717ull;
  }
  uint64_t below(uint64_t n) { return n ? next() % n : 0; }

 private:
  uint64_t s_;
};

}  // namespace vessel::storage::test

namespace vessel::storage::test {

// Random writes and write-zeroes (aligned and not, some spanning clusters) applied both to the
// disk and to `model`; returns false on the first failed request.
bool random_workload(DiskImage& disk, std::vector<uint8_t>& model, uint64_t seed, int operations,
                     uint64_t max_len = 200000);

}  // namespace vessel::storage::test
