#include "gdb/stepper.h"

#include <poll.h>

#include <cstring>

namespace vessel::gdb {

std::string physical_bytes(memory::AddressSpace& memory, uint64_t address, uint64_t length) {
  const uint8_t* p = memory.ram_ptr(address, length);
  return p ? std::string(reinterpret_cast<const char*>(p), length) : std::string();
}

Stepper::Stepper(std::vector<riscv::Hart*> harts, memory::AddressSpace& memory) : harts_(std::move(harts)), memory_(memory) {
  for (auto* h : harts_) {
    interpreters_.push_back(std::make_unique<riscv::Interpreter>(*h));
    interpreters_.back()->decoded_blocks = false;  // one instruction at a time, nothing cached past it
  }
}

StopEvent Stepper::run(std::optional<unsigned> step, DebugPoints& points, RspConnection& client, const Machine& machine) {
  for (auto& w : points.watches) w.last = physical_bytes(memory_, w.address, w.length);
  // The instruction a hart stopped at is executed first, even when a breakpoint sits on it.
  std::vector<bool> leaving(harts_.size(), true);
  for (uint64_t n = 0;; ++n) {
    if ((n & 1023) == 0 && !step && client.interrupt_pending()) return {StopEvent::Kind::Interrupted, 0};
    bool any = false;
    for (unsigned i = 0; i < harts_.size(); ++i) {
      if (step && *step != i) continue;
      riscv::Hart& h = *harts_[i];
      if (!machine.runnable(i)) continue;
      h.update_timer_interrupts();
      h.take_interrupt();
      if (h.waiting) {  // WFI wakes on a pending interrupt, enabled globally or not (as the hart's own wait)
        if (!(h.mip.load(std::memory_order_acquire) & h.csr.mie)) continue;
        h.waiting = false;
      }
      any = true;
      if (!leaving[i] && points.breakpoints.count(h.pc)) return {StopEvent::Kind::Breakpoint, i};
      leaving[i] = false;
      interpreters_[i]->step();
      for (auto& w : points.watches) {
        std::string now = physical_bytes(memory_, w.address, w.length);
        if (now != w.last) {
          w.last = std::move(now);
          StopEvent e{StopEvent::Kind::Watchpoint, i};
          e.watch_address = w.virtual_address;
          return e;
        }
      }
      if (auto code = machine.finished()) {
        StopEvent e{StopEvent::Kind::Exited, i};
        e.exit_code = *code;
        return e;
      }
      if (step) return {StopEvent::Kind::Step, i};
    }
    if (!any) {
      if (auto code = machine.finished()) {
        StopEvent e{StopEvent::Kind::Exited, 0};
        e.exit_code = *code;
        return e;
      }
      if (step) return {StopEvent::Kind::Step, *step};  // a halted hart steps by not moving
      // Every hart waits for an interrupt: let time pass (timer interrupts), watching for Ctrl-C.
      pollfd p{client.fd(), POLLIN, 0};
      poll(&p, 1, 1);
    }
  }
}

}  // namespace vessel::gdb
