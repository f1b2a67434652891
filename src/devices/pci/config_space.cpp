#include "devices/pci/config_space.h"

#include <cstdlib>

#include "common/log.h"

namespace vessel::devices::pci {
namespace {

constexpr uint32_t kBarMemory64 = 0x4, kBarPrefetchable = 0x8;
// Command bits a driver may set: memory space, bus master, parity and SERR responses, INTx disable.
constexpr uint32_t kCommandWritable = cfg::kCommandMemory | cfg::kCommandBusMaster | (1u << 6) | (1u << 8) |
                                      cfg::kCommandIntxDisable;

}  // namespace

ConfigSpace::ConfigSpace(const PciIdentity& id) {
  store(cfg::kVendorId, 2, id.vendor);
  store(cfg::kDeviceId, 2, id.device);
  store(cfg::kRevision, 1, id.revision);
  store(cfg::kClassCode, 1, id.class_code & 0xff);
  store(cfg::kClassCode + 1, 2, (id.class_code >> 8) & 0xffff);
  store(cfg::kHeaderType, 1, 0);  // type 0, single function
  store(cfg::kSubsystemVendorId, 2, id.subsystem_vendor);
  store(cfg::kSubsystemId, 2, id.subsystem);
  put(cfg::kCommand, 2, 0, 0);
  for (unsigned i = 0; i < 2; ++i) writable_[cfg::kCommand + i] = static_cast<uint8_t>(kCommandWritable >> (8 * i));
  writable_[0x0c] = 0xff;  // cache line size: storage only
  writable_[cfg::kInterruptLine] = 0xff;  // a scratch register for the OS
}

void ConfigSpace::put(unsigned offset, unsigned size, uint32_t value, uint32_t writable) {
  for (unsigned i = 0; i < size && offset + i < kSize; ++i) {
    bytes_[offset + i] = static_cast<uint8_t>(value >> (8 * i));
    writable_[offset + i] = static_cast<uint8_t>(writable >> (8 * i));
  }
}

uint32_t ConfigSpace::get(unsigned offset, unsigned size) const {
  uint32_t v = 0;
  for (unsigned i = 0; i < size && offset + i < kSize; ++i) v |= uint32_t{bytes_[offset + i]} << (8 * i);
  return v;
}

void ConfigSpace::add_memory_bar(unsigned index, uint64_t size, bool is64, bool prefetchable) {
  if (index + (is64 ? 1 : 0) >= kBars || size < 16 || (size & (size - 1)) || (!is64 && size > (1ull << 31))) {
    LOG_ERROR("internal error: BAR %u of %lu bytes", index, static_cast<unsigned long>(size));
    abort();
  }
  std::lock_guard lock(mutex_);
  bars_[index] = {size, is64};
  const uint64_t mask = ~(size - 1);
  const uint32_t flags = (is64 ? kBarMemory64 : 0) | (prefetchable ? kBarPrefetchable : 0);
  put(cfg::kBar0 + 4 * index, 4, flags, static_cast<uint32_t>(mask) & ~0xfu);
  if (is64) put(cfg::kBar0 + 4 * (index + 1), 4, 0, static_cast<uint32_t>(mask >> 32));
}

uint64_t ConfigSpace::bar_address(unsigned index) const {
  if (index >= kBars || bars_[index].size == 0) return 0;
  std::lock_guard lock(mutex_);
  uint64_t a = get(cfg::kBar0 + 4 * index, 4) & ~0xfull;
  if (bars_[index].is64) a |= uint64_t{get(cfg::kBar0 + 4 * (index + 1), 4)} << 32;
  return a;
}

void ConfigSpace::set_interrupt_pin(uint8_t pin) {
  std::lock_guard lock(mutex_);
  bytes_[cfg::kInterruptPin] = pin;
}

unsigned ConfigSpace::add_capability(uint8_t id, const std::vector<uint8_t>& body, const std::vector<uint8_t>& writable) {
  std::lock_guard lock(mutex_);
  const unsigned at = next_capability_;
  if (at + 2 + body.size() > kSize) {
    LOG_ERROR("internal error: PCI capabilities do not fit in configuration space");
    abort();
  }
  bytes_[at] = id;
  bytes_[at + 1] = 0;
  for (size_t i = 0; i < body.size(); ++i) {
    bytes_[at + 2 + i] = body[i];
    writable_[at + 2 + i] = i < writable.size() ? writable[i] : 0;
  }
  if (last_capability_)
    bytes_[last_capability_ + 1] = static_cast<uint8_t>(at);
  else
    bytes_[cfg::kCapabilities] = static_cast<uint8_t>(at);
  bytes_[cfg::kStatus] |= cfg::kStatusCapabilities;
  last_capability_ = at;
  next_capability_ = (at + 2 + static_cast<unsigned>(body.size()) + 3) & ~3u;
  return at;
}

uint32_t ConfigSpace::read(unsigned offset, unsigned size) const {
  if (offset >= kSize) return 0;
  std::lock_guard lock(mutex_);
  uint32_t v = get(offset, size);
  if (interrupt_status_.load() && offset <= cfg::kStatus && offset + size > cfg::kStatus)
    v |= uint32_t{cfg::kStatusInterrupt} << (8 * (cfg::kStatus - offset));
  return v;
}

void ConfigSpace::write(unsigned offset, unsigned size, uint32_t value) {
  if (offset >= kSize) return;
  std::lock_guard lock(mutex_);
  for (unsigned i = 0; i < size && offset + i < kSize; ++i) {
    const uint8_t m = writable_[offset + i];
    bytes_[offset + i] = static_cast<uint8_t>((bytes_[offset + i] & ~m) | ((value >> (8 * i)) & m));
  }
}

void ConfigSpace::store(unsigned offset, unsigned size, uint32_t value) {
  std::lock_guard lock(mutex_);
  for (unsigned i = 0; i < size && offset + i < kSize; ++i) bytes_[offset + i] = static_cast<uint8_t>(value >> (8 * i));
}

}  // namespace vessel::devices::pci
