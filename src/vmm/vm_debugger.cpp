#include "vmm/vm_debugger.h"
#include "common/thread_kind.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "gdb/gdb_session.h"
#include "gdb/stepper.h"
#include "vmm/virtual_machine.h"

namespace vessel::vmm {

namespace {

class VmDebugTarget final : public gdb::DebugTarget {
 public:
  VmDebugTarget(VirtualMachine& vm, int stop_fd) : vm_(vm), stop_fd_(stop_fd), stepper_(harts(vm), vm.board().as) {}
  unsigned hart_count() override { return vm_.vcpu_count(); }
  riscv::Hart& hart(unsigned i) override { return *vm_.board().harts[i]; }
  memory::AddressSpace& memory() override { return vm_.board().as; }
  void code_changed() override { vm_.invalidate_code(); }
  void kill() override { vm_.stop(VmExit::Quit); }

  gdb::StopEvent run(std::optional<unsigned> step, gdb::DebugPoints& points, gdb::RspConnection& client) override {
    if (step || !points.empty()) {
      return stepper_.run(step, points, client,
                          {[this](unsigned i) { return vm_.hart_steppable(i); },
                           [this]() -> std::optional<int> { return vm_.stopping() ? std::optional<int>(0) : std::nullopt; }});
    }
    // Nothing to check per instruction: the vCPU threads run at full speed until Ctrl-C.
    vm_.resume();
    for (;;) {
      pollfd fds[2] = {{client.fd(), POLLIN, 0}, {stop_fd_, POLLIN, 0}};
      poll(fds, 2, 100);  // the VM's own end is seen within 100 ms
      if (vm_.stopping() || (fds[1].revents & POLLIN)) return {gdb::StopEvent::Kind::Exited, 0};
      if ((fds[0].revents & (POLLIN | POLLHUP)) && client.interrupt_pending()) break;
    }
    vm_.pause();
    return {gdb::StopEvent::Kind::Interrupted, 0};
  }

 private:
  static std::vector<riscv::Hart*> harts(VirtualMachine& vm) {
    std::vector<riscv::Hart*> out;
    for (auto& h : vm.board().harts) out.push_back(h.get());
    return out;
  }
  VirtualMachine& vm_;
  int stop_fd_;
  gdb::Stepper stepper_;
};

}  // namespace

Result<std::unique_ptr<VmDebugger>> VmDebugger::listen(const std::string& spec, bool wait) {
  std::unique_ptr<VmDebugger> d(new VmDebugger());
  std::string error;
  d->listener_ = gdb::listen_gdb(spec, error);
  if (d->listener_ < 0) return Error{error};
  d->spec_ = spec;
  d->wait_ = wait;
  d->stop_fd_ = eventfd(0, EFD_CLOEXEC);
  return d;
}

VmDebugger::~VmDebugger() {
  detach();
  if (listener_ >= 0) close(listener_);
  if (spec_.rfind("unix:", 0) == 0) unlink(spec_.substr(5).c_str());
  if (stop_fd_ >= 0) close(stop_fd_);
}

void VmDebugger::attach(VirtualMachine& vm) {
  if (wait_) vm.start_paused();  // the harts park before their first instruction
  thread_ = std::thread([this, &vm] {
    enter_thread_kind(ThreadKind::Debugger);
    serve(vm);
  });
}

void VmDebugger::detach() {
  if (!thread_.joinable()) return;
  const uint64_t one = 1;
  (void)!write(stop_fd_, &one, sizeof one);
  thread_.join();
}

void VmDebugger::serve(VirtualMachine& vm) {
  // One client at a time, as many as come, until the VM ends.
  for (bool first = true;; first = false) {
    const int fd = gdb::accept_gdb(listener_, stop_fd_);
    if (fd < 0) return;
    gdb::RspConnection client(fd);
    if (!(first && wait_)) vm.pause();  // attaching stops the VM, as with QEMU's gdbstub
    VmDebugTarget target(vm, stop_fd_);
    gdb::GdbSession session(client, target);
    session.serve();
    if (vm.stopping()) return;
    vm.resume();  // detached or disconnected: the VM goes on
  }
}

}  // namespace vessel::vmm
