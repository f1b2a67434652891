// Writes cpio archives in the kernel's initramfs format ("newc"), so a test can add its own
// files to the test guest: the kernel unpacks concatenated archives one after another.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace vessel::test {

struct CpioEntry {
  std::string path;  // without a leading slash: "bin/tool"
  uint32_t mode;     // type and permissions: 040755 (directory), 0100755 (executable)
  std::string data;  // file contents (empty for a directory)
};

// The entries, then the trailer; padded to a 4-byte boundary.
std::string cpio_newc(const std::vector<CpioEntry>& entries);
// The test guest's initramfs.cpio.gz preceded by an archive of `extra` (like an early
// microcode archive), written to `path`. Returns false if the guest's archive cannot be read.
bool compose_initramfs(const std::string& guest_initramfs, const std::vector<CpioEntry>& extra,
                       const std::string& path);

}  // namespace vessel::test
