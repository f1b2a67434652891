#include "fuzz/support/guest_ops.h"

#include <cstring>

namespace vessel::fuzz {
namespace {

constexpr uint64_t kRamWindow = 64 * 1024;

unsigned size_from_code(uint8_t code) { return 1u << (code & 3); }
unsigned code_from_size(unsigned size) { return size == 8 ? 3 : size == 4 ? 2 : size == 2 ? 1 : 0; }

}  // namespace

uint64_t GuestOps::register_address(FuzzInput& in) {
  const uint8_t w = in.u8();
  const uint32_t offset = in.u32();
  if (windows_.empty()) return 0;
  const DeviceWindow& window = windows_[w % windows_.size()];
  return window.base + offset % window.size;
}

void GuestOps::step(FuzzInput& in) {
  switch (in.u8() % kOpCount) {
    case kOpWrite: {
      const uint64_t addr = register_address(in);
      const unsigned size = size_from_code(in.u8());
      const uint64_t value = in.u64();
      (void)as_.write(addr & ~uint64_t{size - 1}, size, value);
      break;
    }
    case kOpRead: {
      const uint64_t addr = register_address(in);
      const unsigned size = size_from_code(in.u8());
      uint64_t value = 0;
      (void)as_.read(addr & ~uint64_t{size - 1}, size, value);
      break;
    }
    case kOpStore: {
      const uint64_t offset = in.u16();
      const auto bytes = in.bytes(in.u8());
      const uint64_t paddr = as_.ram().base() + offset;
      if (uint8_t* p = as_.ram_ptr(paddr, bytes.size()); p && !bytes.empty()) memcpy(p, bytes.data(), bytes.size());
      break;
    }
    case kOpStoreWord: {
      const uint64_t offset = in.u16() % (kRamWindow - 8);
      const uint64_t value = in.u64();
      if (uint8_t* p = as_.ram_ptr(as_.ram().base() + offset, 8)) memcpy(p, &value, 8);
      break;
    }
    case kOpRunIo:
      if (io_) io_->run_ready();
      break;
    case kOpBackend: {
      const auto payload = in.bytes(in.u16());
      if (backend_) backend_(payload);
      break;
    }
  }
}

GuestOpsWriter& GuestOpsWriter::write(uint8_t window, uint32_t offset, unsigned size, uint64_t value) {
  out_.u8(kOpWrite).u8(window).u32(offset).u8(static_cast<uint8_t>(code_from_size(size))).u64(value);
  return *this;
}
GuestOpsWriter& GuestOpsWriter::read(uint8_t window, uint32_t offset, unsigned size) {
  out_.u8(kOpRead).u8(window).u32(offset).u8(static_cast<uint8_t>(code_from_size(size)));
  return *this;
}
GuestOpsWriter& GuestOpsWriter::store(uint16_t ram_offset, const std::vector<uint8_t>& bytes) {
  out_.u8(kOpStore).u16(ram_offset).u8(static_cast<uint8_t>(bytes.size())).bytes(bytes);
  return *this;
}
GuestOpsWriter& GuestOpsWriter::store_word(uint16_t ram_offset, uint64_t value) {
  out_.u8(kOpStoreWord).u16(ram_offset).u64(value);
  return *this;
}
GuestOpsWriter& GuestOpsWriter::run_io() {
  out_.u8(kOpRunIo);
  return *this;
}
GuestOpsWriter& GuestOpsWriter::backend(const std::vector<uint8_t>& payload) {
  out_.u8(kOpBackend).u16(static_cast<uint16_t>(payload.size())).bytes(payload);
  return *this;
}

}  // namespace vessel::fuzz
