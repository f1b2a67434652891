// Host-target interface of the RISC-V test suites: the program writes commands to its
// `tohost` word and reads replies from `fromhost`. We poll tohost between batches.
#pragma once
#include <cstdint>
#include <optional>

#include "memory/address_space.h"

namespace vessel::machine {

class Htif {
 public:
  Htif(memory::AddressSpace& as, uint64_t tohost, std::optional<uint64_t> fromhost)
      : as_(as), tohost_(tohost), fromhost_(fromhost) {}

  // Handles a pending command, if any. Returns the exit code once the program has exited.
  std::optional<int> poll();
  // The raw value of the exit command (N<<1|1), for the "failed test N" message.
  uint64_t exit_payload() const { return exit_payload_; }

 private:
  void reply(uint64_t value);
  void syscall(uint64_t magic_mem);

  memory::AddressSpace& as_;
  uint64_t tohost_;
  std::optional<uint64_t> fromhost_;
  uint64_t exit_payload_ = 0;
  std::optional<int> exit_code_;
};

}  // namespace vessel::machine
