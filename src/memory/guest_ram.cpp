#include "memory/guest_ram.h"

#include <sys/mman.h>

#include <cerrno>
#include <cstring>

namespace vessel::memory {

GuestRam::~GuestRam() {
  if (host_) munmap(host_, size_);
}

std::string GuestRam::map(uint64_t base, uint64_t size) {
  void* p = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED) return std::string("cannot map guest RAM: ") + strerror(errno);
  host_ = static_cast<uint8_t*>(p);
  base_ = base;
  size_ = size;
  return {};
}

}  // namespace vessel::memory
