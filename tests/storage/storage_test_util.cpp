#include "storage_test_util.h"

#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <algorithm>
#include <fstream>
#include <iterator>

namespace vessel::storage::test {

TempDir::TempDir() {
  const char* base = getenv("TMPDIR");
  std::string tmpl = std::string(base && *base ? base : "/tmp") + "/vessel-storage-XXXXXX";
  if (mkdtemp(tmpl.data())) path_ = tmpl;
}

TempDir::~TempDir() {
  if (!path_.empty() && !getenv("VESSEL_KEEP_TMP")) run("rm -rf " + quote(path_));
}

std::string quote(const std::string& s) {
  std::string out = "'";
  for (const char c : s) {
    if (c == '\'') out += "'\\''";
    else out += c;
  }
  return out + "'";
}

CommandResult run(const std::string& command) {
  CommandResult r;
  FILE* p = popen((command + " 2>&1").c_str(), "r");
  if (!p) return r;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.output.append(buf, n);
  const int status = pclose(p);
  if (WIFEXITED(status)) r.status = WEXITSTATUS(status);
  return r;
}

bool have_qemu_img() { return run("qemu-img --version").status == 0; }

std::vector<uint8_t> pattern(uint64_t seed, uint64_t offset, size_t len) {
  std::vector<uint8_t> out(len);
  for (size_t i = 0; i < len; ++i) {
    uint64_t x = (offset + i) * 0x9E3779B97F4A7C15ull ^ seed * 0xC2B2AE3D27D4EB4Full;
    x ^= x >> 29;
    out[i] = static_cast<uint8_t>(x | 1);  // never zero, so zero detection can't skip it
  }
  return out;
}

void write_file(const std::string& path, const std::vector<uint8_t>& data) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
}

std::vector<uint8_t> read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(f), {});
}

std::vector<uint8_t> read_all(DiskImage& disk) {
  std::vector<uint8_t> out(disk.size());
  if (!disk.read(0, out.data(), out.size()).ok()) out.clear();
  return out;
}

}  // namespace vessel::storage::test

namespace vessel::storage::test {

bool random_workload(DiskImage& disk, std::vector<uint8_t>& model, uint64_t seed, int operations, uint64_t max_len) {
  Rng rng(seed);
  const uint64_t size = disk.size();
  for (int op = 0; op < operations; ++op) {
    uint64_t len = 1 + rng.below(std::min<uint64_t>(max_len, size));
    if (rng.below(4) == 0) len = (len + 511) & ~511ull;
    len = std::min(len, size);
    uint64_t off = rng.below(size - len + 1);
    if (rng.below(3) == 0) off &= ~4095ull;
    if (rng.below(8) == 0) {
      if (!disk.write_zeroes(off, len, rng.below(2) == 0).ok()) return false;
      std::fill(model.begin() + static_cast<long>(off), model.begin() + static_cast<long>(off + len), 0);
    } else {
      const auto data = pattern(seed * 1000 + static_cast<uint64_t>(op), off, len);
      if (!disk.write(off, data.data(), len).ok()) return false;
      std::copy(data.begin(), data.end(), model.begin() + static_cast<long>(off));
    }
    if (rng.below(16) == 0 && !disk.flush().ok()) return false;
  }
  return true;
}

}  // namespace vessel::storage::test
