#include "support/cpio_archive.h"

#include <cstdio>
#include <fstream>
#include <iterator>

namespace vessel::test {
namespace {

void pad4(std::string& s) {
  while (s.size() % 4) s += '\0';
}

void append_entry(std::string& out, uint32_t ino, const CpioEntry& e) {
  // magic, ino, mode, uid, gid, nlink, mtime, filesize, devmajor/minor, rdevmajor/minor,
  // namesize (with its NUL), check: thirteen 8-digit hex fields.
  char header[6 + 13 * 8 + 1];
  snprintf(header, sizeof header, "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08zX%08X", ino, e.mode, 0u,
           0u, 1u, 0u, static_cast<uint32_t>(e.data.size()), 0u, 0u, 0u, 0u, e.path.size() + 1, 0u);
  out += header;
  out += e.path;
  out += '\0';
  pad4(out);
  out += e.data;
  pad4(out);
}

}  // namespace

std::string cpio_newc(const std::vector<CpioEntry>& entries) {
  std::string out;
  uint32_t ino = 1;
  for (const CpioEntry& e : entries) append_entry(out, ino++, e);
  append_entry(out, 0, {"TRAILER!!!", 0, ""});
  return out;
}

bool compose_initramfs(const std::string& guest_initramfs, const std::vector<CpioEntry>& extra,
                       const std::string& path) {
  std::ifstream in(guest_initramfs, std::ios::binary);
  if (!in) return false;
  const std::string guest((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::ofstream out(path, std::ios::binary);
  out << cpio_newc(extra) << guest;
  return static_cast<bool>(out);
}

}  // namespace vessel::test
