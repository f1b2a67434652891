// A split virtqueue (virtio 1.2, section 2.7) seen from the device, with indirect
// descriptors and VIRTIO_F_EVENT_IDX. Everything read from guest memory is validated:
// a malformed ring or chain is reported as Broken, never followed outside guest RAM.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "memory/guest_ram.h"

namespace vessel::snapshot {
class StateWriter;
class StateReader;
}  // namespace vessel::snapshot

namespace vessel::devices::virtio {

struct Buffer {
  uint64_t addr;
  uint32_t len;
  bool device_writable;
};

// One request: the descriptors reachable from a head, flattened (indirect tables expanded).
struct Chain {
  uint16_t head = 0;
  std::vector<Buffer> buffers;
  uint64_t readable_bytes() const;
  uint64_t writable_bytes() const;
};

class Virtqueue {
 public:
  static constexpr uint16_t kMaxSize = 1024;

  // Driver-programmed configuration (from the transport).
  uint16_t size = 0;
  bool ready = false;
  uint64_t desc_addr = 0, avail_addr = 0, used_addr = 0;

  // Checks the ring addresses and size against guest RAM before the queue is used.
  bool validate(const memory::GuestRam& ram, std::string& error) const;
  void set_event_idx(bool on) { event_idx_ = on; }
  void reset();

  enum class Pop { Empty, Chain, Broken };
  // Takes the next available chain. On Broken, `error` says what the guest did wrong.
  Pop pop(const memory::GuestRam& ram, Chain& out, std::string& error);
  // Returns a chain to the driver with `written` bytes written into its writable buffers.
  void push(const memory::GuestRam& ram, uint16_t head, uint32_t written);
  // After one or more pushes: whether the driver asked to be interrupted (event index or flags).
  bool needs_interrupt(const memory::GuestRam& ram);
  // Publishes how far we have consumed, so the driver notifies us for new buffers.
  void update_avail_event(const memory::GuestRam& ram);
  // Puts back the last popped chain (a device that could not process it yet, e.g. no rx buffer space).
  void undo_pop() { --last_avail_; }

  uint16_t last_avail() const { return last_avail_; }
  uint16_t used_idx() const { return used_idx_; }
  // Snapshot persistence (transport_persist.cpp): layout, ready, indices, event-index mode.
  void save_state(snapshot::StateWriter& out) const;
  bool restore_state(snapshot::StateReader& in, uint16_t max_size);
  void restore_indices(uint16_t last_avail, uint16_t used_idx) {
    last_avail_ = last_avail;
    used_idx_ = signalled_used_ = used_idx;
  }

 private:
  bool read_chain(const memory::GuestRam& ram, uint16_t head, Chain& out, std::string& error) const;

  bool event_idx_ = false;
  uint16_t last_avail_ = 0;
  uint16_t used_idx_ = 0;
  uint16_t signalled_used_ = 0;  // used index at the last interrupt decision
};

// Sequential access to a chain's readable or writable bytes, bounds-checked against RAM.
class ChainReader {
 public:
  ChainReader(const memory::GuestRam& ram, const Chain& chain);
  // Copies up to len bytes; returns how many were available.
  size_t read(void* dst, size_t len);
  size_t remaining() const;

 private:
  const memory::GuestRam& ram_;
  std::vector<Buffer> bufs_;
  size_t index_ = 0, offset_ = 0;
};

class ChainWriter {
 public:
  ChainWriter(const memory::GuestRam& ram, const Chain& chain);
  size_t write(const void* src, size_t len);
  size_t remaining() const;
  size_t written() const { return written_; }

 private:
  const memory::GuestRam& ram_;
  std::vector<Buffer> bufs_;
  size_t index_ = 0, offset_ = 0, written_ = 0;
};

}  // namespace vessel::devices::virtio
