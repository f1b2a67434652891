// Plays a fuzz input as what a guest can do to a board: register reads and writes in device
// windows of the address space, stores into guest RAM, and turns of the I/O thread (which
// runs the queue work a notification asked for). The same layout is written by the seed
// generator through GuestOpsWriter, so seeds read as a driver's script.
#pragma once
#include <cstdint>
#include <functional>
#include <vector>

#include "common/event_loop.h"
#include "fuzz/support/fuzz_input.h"
#include "memory/address_space.h"

namespace vessel::fuzz {

struct DeviceWindow {
  uint64_t base = 0, size = 0;
};

enum GuestOp : uint8_t {
  kOpWrite = 0,      // u8 window, u32 offset, u8 size code (1 << n bytes), u64 value
  kOpRead = 1,       // u8 window, u32 offset, u8 size code
  kOpStore = 2,      // u16 RAM offset, u8 length, bytes
  kOpStoreWord = 3,  // u16 RAM offset, u64 value
  kOpRunIo = 4,      // the I/O thread takes what is ready
  kOpBackend = 5,    // u16 length, payload: the target's own op (a frame from the network, console input, ...)
  kOpCount = 6,
};

class GuestOps {
 public:
  using BackendOp = std::function<void(const std::vector<uint8_t>& payload)>;
  // RAM offsets are relative to the start of RAM and reach its first 64 KiB.
  GuestOps(memory::AddressSpace& as, EventLoop* io, std::vector<DeviceWindow> windows, BackendOp backend = {})
      : as_(as), io_(io), windows_(std::move(windows)), backend_(std::move(backend)) {}

  // Runs ops until the input is used up.
  void play(FuzzInput& in) {
    while (!in.empty()) step(in);
  }
  void step(FuzzInput& in);

 private:
  uint64_t register_address(FuzzInput& in);
  memory::AddressSpace& as_;
  EventLoop* io_;
  std::vector<DeviceWindow> windows_;
  BackendOp backend_;
};

// Writes ops in that layout (seeds).
class GuestOpsWriter {
 public:
  GuestOpsWriter& write(uint8_t window, uint32_t offset, unsigned size, uint64_t value);
  GuestOpsWriter& read(uint8_t window, uint32_t offset, unsigned size);
  GuestOpsWriter& store(uint16_t ram_offset, const std::vector<uint8_t>& bytes);
  GuestOpsWriter& store_word(uint16_t ram_offset, uint64_t value);
  GuestOpsWriter& run_io();
  GuestOpsWriter& backend(const std::vector<uint8_t>& payload);
  FuzzInputWriter& out() { return out_; }
  const std::vector<uint8_t>& data() const { return out_.data(); }

 private:
  FuzzInputWriter out_;
};

}  // namespace vessel::fuzz
