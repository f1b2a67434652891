// `vessel run --gdb tcp:HOST:PORT|unix:PATH [--gdb-wait]`: a GDB stub for a whole VM on a
// thread of its own. While gdb holds the VM stopped, every vCPU thread is parked (pause());
// "continue" without breakpoints resumes them at full speed until Ctrl-C; with breakpoints or
// watchpoints, and for single steps, this thread runs the harts itself, one instruction at a
// time in the interpreter, so nothing translated can run past a breakpoint.
#pragma once
#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "common/result.h"

namespace vessel::vmm {

class VirtualMachine;

class VmDebugger {
 public:
  // Listens on `spec`; `wait`: the VM stays parked until gdb attaches and continues it.
  static Result<std::unique_ptr<VmDebugger>> listen(const std::string& spec, bool wait);
  ~VmDebugger();
  // Serves gdb clients (one at a time) for `vm` until it ends; call before vm.run().
  void attach(VirtualMachine& vm);
  // The VM ended: stop serving.
  void detach();

 private:
  VmDebugger() = default;
  void serve(VirtualMachine& vm);
  std::string spec_;
  int listener_ = -1, stop_fd_ = -1;
  bool wait_ = false;
  std::thread thread_;
};

}  // namespace vessel::vmm
