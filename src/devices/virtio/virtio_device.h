// What a virtio device is, independent of its transport (ARCHITECTURE.md example 1):
// features, queues, config space, activate and reset. The MMIO transport drives it.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "devices/virtio/virtqueue.h"
#include "memory/guest_ram.h"

namespace vessel::snapshot {
class StateWriter;
class StateReader;
}  // namespace vessel::snapshot

namespace vessel::devices::virtio {

// Feature bits shared by all devices.
constexpr uint64_t kFeatureIndirectDesc = 1ull << 28;
constexpr uint64_t kFeatureEventIdx = 1ull << 29;
constexpr uint64_t kFeatureVersion1 = 1ull << 32;

// How a device tells the driver something happened.
class Interrupt {
 public:
  virtual ~Interrupt() = default;
  virtual void used_buffer() = 0;    // a queue has new used entries
  virtual void config_changed() = 0;
};

// Everything a device gets when the driver sets DRIVER_OK.
struct ActiveState {
  const memory::GuestRam* ram = nullptr;
  std::vector<Virtqueue>* queues = nullptr;
  Interrupt* interrupt = nullptr;
  uint64_t features = 0;  // negotiated
};

// Per-device counters for metrics and tests.
struct DeviceCounters {
  uint64_t requests = 0;
  uint64_t reads = 0, writes = 0;  // virtio-blk read and write requests
  uint64_t bytes_read = 0, bytes_written = 0;
  uint64_t guest_errors = 0;  // malformed requests or rings
};

class VirtioDevice {
 public:
  virtual ~VirtioDevice() = default;
  virtual uint32_t device_id() const = 0;
  virtual const char* name() const = 0;
  virtual uint64_t device_features() const = 0;  // device-specific bits (the transport adds ring bits)
  virtual unsigned num_queues() const = 0;
  virtual uint16_t queue_max_size(unsigned) const { return 256; }
  virtual void read_config(uint64_t offset, uint8_t* data, unsigned len) = 0;
  virtual void write_config(uint64_t, const uint8_t*, unsigned) {}
  // Called once the driver is ready; returns false with `error` to refuse (needs reset).
  virtual bool activate(const ActiveState& state, std::string& error) = 0;
  virtual void reset() = 0;
  // Runs on the I/O thread when the driver notifies queue `q` (or a back end has data).
  // Returns false if the guest broke the queue (the transport then asks for a reset).
  virtual bool process_queue(unsigned q) = 0;
  // File descriptors the device's back end wants watched on the I/O thread.
  struct Watch {
    int fd;
    unsigned queue;  // process_queue(queue) runs when fd is readable
    bool timer = false;  // a timerfd (rate limiter): the transport reads it before processing
  };
  virtual std::vector<Watch> backend_watches() const { return {}; }
  // Snapshot persistence of device-specific state (queues and transport state are the
  // transport's). Called with the I/O thread quiesced; restore runs after activate().
  virtual void save_state(snapshot::StateWriter&) {}
  virtual bool restore_state(snapshot::StateReader&) { return true; }

  DeviceCounters counters;
};

// Reads/writes little-endian config structures into the byte window the driver asked for.
inline void config_window(const void* config, size_t config_size, uint64_t offset, uint8_t* data, unsigned len) {
  for (unsigned i = 0; i < len; ++i)
    data[i] = offset + i < config_size ? static_cast<const uint8_t*>(config)[offset + i] : 0;
}

}  // namespace vessel::devices::virtio
