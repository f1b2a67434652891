// One GDB client against a DebugTarget: the remote serial protocol's packets (registers,
// memory through the selected hart's translation or physically, breakpoints, watchpoints,
// threads = harts, continue, step, Ctrl-C, monitor commands), in all-stop mode.
#pragma once
#include <optional>

#include "gdb/debug_target.h"
#include "gdb/rsp_connection.h"

namespace vessel::gdb {

class GdbSession {
 public:
  GdbSession(RspConnection& client, DebugTarget& target) : client_(client), target_(target) {}
  // Serves until the client detaches (the target goes on running: returns true), kills the
  // target or disconnects (false), or the machine ends (false, after a W reply).
  bool serve();

 private:
  std::optional<std::string> handle(const std::string& packet);  // nullopt: stop serving
  std::string stop_reply(const StopEvent& e) const;
  std::string resume(std::optional<unsigned> step);
  std::string read_memory(uint64_t address, uint64_t length);
  bool write_memory(uint64_t address, const std::string& bytes);
  std::string monitor(const std::string& command);
  std::string set_point(bool insert, int type, uint64_t address, uint64_t kind);
  // vaddr -> paddr through the selected hart's current translation (or as is, physically).
  std::optional<uint64_t> translate(uint64_t address);

  RspConnection& client_;
  DebugTarget& target_;
  DebugPoints points_;
  StopEvent last_{StopEvent::Kind::Interrupted, 0};
  unsigned selected_ = 0;  // Hg: registers and memory
  bool physical_ = false;  // monitor phys on: m/M/X/Z2 addresses are guest-physical
  bool detached_ = false, ended_ = false, no_ack_after_reply_ = false;
};

}  // namespace vessel::gdb
