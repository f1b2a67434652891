// Disk images as a host file can hold them: qcow2 open, check, read, write, discard and
// write-zeroes on arbitrary images, over backing chains of up to three files (qcow2 on qcow2
// on raw, the names "mid" and "base" being what a seed's header points at).
// Oracle besides the sanitizers: an image that `check` finds clean and that opens has no
// corruption after any sequence of writes followed by a flush. (Leaks may appear: refcounts
// an image holds for clusters past its end are not checked until the file grows over them.)
// Input: three u16-length-prefixed files (top, mid, base), then ops: u8 op, u64 offset, u16 length.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "fuzz/support/fuzz_input.h"
#include "fuzz/support/scratch_dir.h"
#include "storage/open_disk.h"
#include "storage/qcow2_check.h"

namespace vessel::fuzz {
namespace {

enum DiskOp : uint8_t { kRead, kWrite, kDiscard, kWriteZeroes, kFlush, kOpCount };

bool clean(const std::string& path) {
  auto report = storage::qcow2::check_image(path);
  return report && report->corruptions == 0 && report->check_errors == 0;
}

}  // namespace
}  // namespace vessel::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vessel;
  using namespace vessel::fuzz;
  FuzzInput in(data, size);
  const std::string top = scratch_file("top", in.bytes(in.u16()));
  scratch_file("mid", in.bytes(in.u16()));
  scratch_file("base", in.bytes(in.u16()));
  const bool was_clean = clean(top);
  auto opened = storage::open_disk(top, std::nullopt, false);
  if (!opened) return 0;
  storage::DiskImage& disk = *opened.value();
  (void)disk.info();
  const bool qcow2 = disk.format() == storage::DiskFormat::Qcow2;
  std::vector<uint8_t> buffer;
  while (!in.empty()) {
    const uint8_t op = in.u8() % kOpCount;
    const uint64_t span = disk.size() + 4096;
    const uint64_t offset = span ? in.u64() % span : 0;
    const size_t len = in.u16();
    buffer.assign(len, static_cast<uint8_t>(op * 37 + 1));
    switch (op) {
      case kRead: (void)disk.read(offset, buffer.data(), len); break;
      case kWrite: (void)disk.write(offset, buffer.data(), len); break;
      case kDiscard: (void)disk.discard(offset, len); break;
      case kWriteZeroes: (void)disk.write_zeroes(offset, len, len & 1); break;
      case kFlush: (void)disk.flush(); break;
    }
  }
  (void)disk.flush();
  opened.value().reset();
  if (qcow2 && was_clean && !clean(top)) {
    fprintf(stderr, "writes corrupted a qcow2 image that check found consistent:\n");
    if (auto report = storage::qcow2::check_image(top))
      for (const auto& m : report->messages) fprintf(stderr, "  %s\n", m.c_str());
    abort();
  }
  return 0;
}
