#include "devices/virtio/virtqueue.h"

#include <atomic>
#include <cstring>

namespace vessel::devices::virtio {
namespace {

constexpr uint16_t kDescNext = 1, kDescWrite = 2, kDescIndirect = 4;
constexpr uint16_t kAvailNoInterrupt = 1;
constexpr uint32_t kMaxIndirect = 4096;  // entries per indirect table (Linux uses at most the queue size)

struct Descriptor {
  uint64_t addr;
  uint32_t len;
  uint16_t flags;
  uint16_t next;
};
static_assert(sizeof(Descriptor) == 16);

// Ring fields are shared with vCPU threads: read and write them as single atomic accesses.
uint16_t load16(const uint8_t* p) { return __atomic_load_n(reinterpret_cast<const uint16_t*>(p), __ATOMIC_ACQUIRE); }
void store16(uint8_t* p, uint16_t v) { __atomic_store_n(reinterpret_cast<uint16_t*>(p), v, __ATOMIC_RELEASE); }

}  // namespace

uint64_t Chain::readable_bytes() const {
  uint64_t n = 0;
  for (const auto& b : buffers)
    if (!b.device_writable) n += b.len;
  return n;
}
uint64_t Chain::writable_bytes() const {
  uint64_t n = 0;
  for (const auto& b : buffers)
    if (b.device_writable) n += b.len;
  return n;
}

bool Virtqueue::validate(const memory::GuestRam& ram, std::string& error) const {
  if (size == 0 || size > kMaxSize || (size & (size - 1))) {
    error = "queue size " + std::to_string(size) + " is not a power of two up to " + std::to_string(kMaxSize);
    return false;
  }
  if ((desc_addr & 15) || (avail_addr & 1) || (used_addr & 3)) {
    error = "misaligned ring address";
    return false;
  }
  if (!ram.contains(desc_addr, 16ull * size) || !ram.contains(avail_addr, 6 + 2ull * size) ||
      !ram.contains(used_addr, 6 + 8ull * size)) {
    error = "ring outside guest RAM";
    return false;
  }
  return true;
}

void Virtqueue::reset() {
  size = 0;
  ready = false;
  desc_addr = avail_addr = used_addr = 0;
  event_idx_ = false;
  last_avail_ = used_idx_ = signalled_used_ = 0;
}

bool Virtqueue::read_chain(const memory::GuestRam& ram, uint16_t head, Chain& out, std::string& error) const {
  out.head = head;
  out.buffers.clear();
  const uint8_t* table = ram.at(desc_addr);
  uint32_t table_size = size;
  uint32_t index = head;
  bool indirect = false;
  // Each descriptor may be visited once: more than table_size steps means a loop.
  for (uint32_t steps = 0;; ++steps) {
    if (index >= table_size) {
      error = "descriptor index " + std::to_string(index) + " out of range";
      return false;
    }
    if (steps >= table_size) {
      error = "descriptor chain loops or is longer than its table";
      return false;
    }
    Descriptor d;
    memcpy(&d, table + 16ull * index, sizeof d);
    if (d.flags & kDescIndirect) {
      if (indirect) {
        error = "nested indirect descriptor";
        return false;
      }
      if (d.flags & kDescNext) {
        error = "indirect descriptor with NEXT set";
        return false;
      }
      if (d.len == 0 || d.len % 16 || d.len / 16 > kMaxIndirect || !ram.contains(d.addr, d.len)) {
        error = "bad indirect table (address or length)";
        return false;
      }
      table = ram.at(d.addr);
      table_size = d.len / 16;
      index = 0;
      steps = static_cast<uint32_t>(-1);  // the indirect table gets its own step budget
      indirect = true;
      continue;
    }
    if (d.len && !ram.contains(d.addr, d.len)) {
      error = "buffer outside guest RAM";
      return false;
    }
    out.buffers.push_back({d.addr, d.len, (d.flags & kDescWrite) != 0});
    if (!(d.flags & kDescNext)) return true;
    index = d.next;
  }
}

Virtqueue::Pop Virtqueue::pop(const memory::GuestRam& ram, Chain& out, std::string& error) {
  const uint8_t* avail = ram.at(avail_addr);
  const uint16_t avail_idx = load16(avail + 2);
  const uint16_t pending = static_cast<uint16_t>(avail_idx - last_avail_);
  if (pending == 0) return Pop::Empty;
  if (pending > size) {
    error = "available index ran " + std::to_string(pending) + " entries ahead of a queue of " + std::to_string(size);
    return Pop::Broken;
  }
  std::atomic_thread_fence(std::memory_order_acquire);  // read the ring entry after the index
  const uint16_t head = load16(avail + 4 + 2 * (last_avail_ % size));
  if (!read_chain(ram, head, out, error)) return Pop::Broken;
  ++last_avail_;
  return Pop::Chain;
}

void Virtqueue::push(const memory::GuestRam& ram, uint16_t head, uint32_t written) {
  uint8_t* used = ram.at(used_addr);
  uint8_t* elem = used + 4 + 8 * (used_idx_ % size);
  const uint32_t id = head;
  memcpy(elem, &id, 4);
  memcpy(elem + 4, &written, 4);
  ++used_idx_;
  std::atomic_thread_fence(std::memory_order_release);  // the element before the index
  store16(used + 2, used_idx_);
  ram.mark_dirty(used_addr, 4 + 8ull * size);  // device writes are migrated like the guest's
}

bool Virtqueue::needs_interrupt(const memory::GuestRam& ram) {
  // Order our used-index store before reading the driver's event index / flags.
  std::atomic_thread_fence(std::memory_order_seq_cst);
  const uint16_t old = signalled_used_;
  signalled_used_ = used_idx_;
  if (old == used_idx_) return false;
  const uint8_t* avail = ram.at(avail_addr);
  if (!event_idx_) return !(load16(avail) & kAvailNoInterrupt);
  const uint16_t used_event = load16(avail + 4 + 2 * size);
  return static_cast<uint16_t>(used_idx_ - used_event - 1) < static_cast<uint16_t>(used_idx_ - old);
}

void Virtqueue::update_avail_event(const memory::GuestRam& ram) {
  if (!event_idx_) return;
  store16(ram.at(used_addr) + 4 + 8 * size, last_avail_);
  ram.mark_dirty(used_addr + 4 + 8ull * size, 2);
  std::atomic_thread_fence(std::memory_order_seq_cst);
}

// Empty buffers are left out: read_chain accepts them at any address (they hold no byte of
// guest memory), so their address must never be turned into a host pointer.
ChainReader::ChainReader(const memory::GuestRam& ram, const Chain& chain) : ram_(ram) {
  for (const auto& b : chain.buffers)
    if (!b.device_writable && b.len) bufs_.push_back(b);
}

size_t ChainReader::read(void* dst, size_t len) {
  size_t done = 0;
  while (done < len && index_ < bufs_.size()) {
    const Buffer& b = bufs_[index_];
    const size_t n = std::min<size_t>(len - done, b.len - offset_);
    memcpy(static_cast<uint8_t*>(dst) + done, ram_.at(b.addr + offset_), n);
    done += n;
    offset_ += n;
    if (offset_ == b.len) {
      ++index_;
      offset_ = 0;
    }
  }
  return done;
}

size_t ChainReader::remaining() const {
  size_t n = 0;
  for (size_t i = index_; i < bufs_.size(); ++i) n += bufs_[i].len;
  return n - offset_;
}

ChainWriter::ChainWriter(const memory::GuestRam& ram, const Chain& chain) : ram_(ram) {
  for (const auto& b : chain.buffers)
    if (b.device_writable && b.len) bufs_.push_back(b);
}

size_t ChainWriter::write(const void* src, size_t len) {
  size_t done = 0;
  while (done < len && index_ < bufs_.size()) {
    const Buffer& b = bufs_[index_];
    const size_t n = std::min<size_t>(len - done, b.len - offset_);
    memcpy(ram_.at(b.addr + offset_), static_cast<const uint8_t*>(src) + done, n);
    ram_.mark_dirty(b.addr + offset_, n);  // DMA: the page travels in the next migration round
    done += n;
    offset_ += n;
    if (offset_ == b.len) {
      ++index_;
      offset_ = 0;
    }
  }
  written_ += done;
  return done;
}

size_t ChainWriter::remaining() const {
  size_t n = 0;
  for (size_t i = index_; i < bufs_.size(); ++i) n += bufs_[i].len;
  return n - offset_;
}

}  // namespace vessel::devices::virtio
