// What the GDB stub debugs: harts that stay stopped except inside run(), their memory, and
// how running is done (the bare-metal runner in its own thread, a VM by pausing its vCPUs).
#pragma once
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "cpu/riscv/hart.h"
#include "gdb/rsp_connection.h"
#include "memory/address_space.h"

namespace vessel::gdb {

struct StopEvent {
  enum class Kind { Breakpoint, Step, Interrupted, Watchpoint, Exited } kind = Kind::Interrupted;
  unsigned hart = 0;
  uint64_t watch_address = 0;
  int watch_kind = 2;  // Z packet type of the watchpoint: 2 write, 3 read, 4 access
  int exit_code = 0;
};

struct DebugPoints {
  std::set<uint64_t> breakpoints;  // Z0 and Z1 alike: checked before each instruction
  enum class WatchKind { Write = 2, Read = 3, Access = 4 };  // Z2, Z3, Z4
  struct Watch {
    uint64_t address = 0, length = 0;  // guest-physical (translated when set)
    uint64_t virtual_address = 0;       // what gdb asked for, reported in the stop
    std::string last;                   // write watches: the bytes seen after the previous instruction
    WatchKind kind = WatchKind::Write;
  };
  // Write watches stop when the value changes; read and access watches when an instruction's
  // memory operand touches them (decoded before it executes, stopped after).
  std::vector<Watch> watches;
  bool empty() const { return breakpoints.empty() && watches.empty(); }
};

class DebugTarget {
 public:
  virtual ~DebugTarget() = default;
  virtual unsigned hart_count() = 0;
  virtual riscv::Hart& hart(unsigned index) = 0;
  virtual memory::AddressSpace& memory() = 0;
  // Runs until a breakpoint or watchpoint, Ctrl-C on `client`, or the machine's end; with
  // `step`, only that hart and one instruction.
  virtual StopEvent run(std::optional<unsigned> step, DebugPoints& points, RspConnection& client) = 0;
  // The debugger wrote guest memory: translated or decoded code must be checked again.
  virtual void code_changed() = 0;
  // `k`: end the machine.
  virtual void kill() = 0;
};

}  // namespace vessel::gdb
