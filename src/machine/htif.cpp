#include "machine/htif.h"

#include <unistd.h>

#include <cstdio>

namespace vessel::machine {
namespace {
constexpr uint64_t kSysWrite = 64, kSysExit = 93;
}

void Htif::reply(uint64_t value) {
  if (fromhost_) (void)as_.write(*fromhost_, 8, value);
}

// The proxy-syscall form: tohost points at eight words {number, arg0, arg1, ...}.
void Htif::syscall(uint64_t magic_mem) {
  uint64_t args[4] = {};
  for (unsigned i = 0; i < 4; ++i)
    if (!as_.read(magic_mem + 8 * i, 8, args[i])) return reply(1);
  int64_t ret = -38;  // -ENOSYS
  if (args[0] == kSysWrite && (args[1] == 1 || args[1] == 2)) {
    ret = 0;
    for (uint64_t i = 0; i < args[3]; ++i) {
      uint64_t ch;
      if (!as_.read(args[2] + i, 1, ch)) break;
      fputc(static_cast<int>(ch), args[1] == 1 ? stdout : stderr);
      ++ret;
    }
    fflush(stdout);
  } else if (args[0] == kSysExit) {
    exit_payload_ = (args[1] << 1) | 1;
    exit_code_ = static_cast<int>(args[1]);
    return;
  }
  (void)as_.write(magic_mem, 8, static_cast<uint64_t>(ret));
  reply(1);
}

std::optional<int> Htif::poll() {
  if (exit_code_) return exit_code_;
  uint64_t cmd;
  if (!as_.read(tohost_, 8, cmd) || cmd == 0) return std::nullopt;
  (void)as_.write(tohost_, 8, 0);
  const uint64_t device = cmd >> 56, command = (cmd >> 48) & 0xff, payload = cmd & ((1ull << 48) - 1);
  if (device == 0 && command == 0) {
    if (payload & 1) {
      exit_payload_ = payload;
      exit_code_ = static_cast<int>(payload >> 1);
      return exit_code_;
    }
    syscall(payload);
    return exit_code_;
  }
  if (device == 1 && command == 1) {  // console putchar
    fputc(static_cast<int>(payload & 0xff), stdout);
    fflush(stdout);
    reply((1ull << 56) | (1ull << 48) | 0x100 | (payload & 0xff));
  }
  return std::nullopt;
}

}  // namespace vessel::machine
