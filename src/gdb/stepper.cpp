#include "gdb/stepper.h"

#include "gdb/memory_operand.h"

#include <poll.h>

#include <cstring>

namespace vessel::gdb {

std::string physical_bytes(memory::AddressSpace& memory, uint64_t address, uint64_t length) {
  const uint8_t* p = memory.ram_ptr(address, length);
  return p ? std::string(reinterpret_cast<const char*>(p), length) : std::string();
}

// The read or access watch the instruction at pc is about to touch (decoded from memory as it is).
const DebugPoints::Watch* Stepper::operand_watch(riscv::Hart& h, const DebugPoints& points) {
  bool any = false;
  for (const auto& w : points.watches) any |= w.kind != DebugPoints::WatchKind::Write;
  if (!any) return nullptr;
  uint64_t pc_phys = 0;
  if (h.translate(h.pc, riscv::Access::Fetch, h.priv, pc_phys) != riscv::Hart::WalkResult::Ok) return nullptr;
  const uint8_t* p = memory_.ram_ptr(pc_phys, 2);
  if (!p) return nullptr;
  uint32_t insn = p[0] | (p[1] << 8);
  if ((insn & 3) == 3) {
    const uint8_t* q = memory_.ram_ptr(pc_phys + 2, 2);
    if (!q || (h.pc & 4095) == 4094) return nullptr;  // split across pages: not worth the walk
    insn |= static_cast<uint32_t>(q[0] | (q[1] << 8)) << 16;
  }
  const auto op = memory_operand(h, insn);
  if (!op) return nullptr;
  uint64_t paddr = 0;
  if (h.translate(op->address, op->writes && !op->reads ? riscv::Access::Store : riscv::Access::Load,
                  h.effective_data_priv(), paddr) != riscv::Hart::WalkResult::Ok)
    return nullptr;
  for (const auto& w : points.watches) {
    const bool wanted = w.kind == DebugPoints::WatchKind::Access ? (op->reads || op->writes)
                                                                 : w.kind == DebugPoints::WatchKind::Read && op->reads;
    if (wanted && paddr < w.address + w.length && w.address < paddr + op->size) return &w;
  }
  return nullptr;
}

Stepper::Stepper(std::vector<riscv::Hart*> harts, memory::AddressSpace& memory) : harts_(std::move(harts)), memory_(memory) {
  for (auto* h : harts_) {
    interpreters_.push_back(std::make_unique<riscv::Interpreter>(*h));
    interpreters_.back()->decoded_blocks = false;  // one instruction at a time, nothing cached past it
  }
}

StopEvent Stepper::run(std::optional<unsigned> step, DebugPoints& points, RspConnection& client, const Machine& machine) {
  for (auto& w : points.watches)
    if (w.kind == DebugPoints::WatchKind::Write) w.last = physical_bytes(memory_, w.address, w.length);
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
      const DebugPoints::Watch* touched = operand_watch(h, points);
      interpreters_[i]->step();
      if (touched) {
        StopEvent e{StopEvent::Kind::Watchpoint, i};
        e.watch_address = touched->virtual_address;
        e.watch_kind = static_cast<int>(touched->kind);
        return e;
      }
      for (auto& w : points.watches) {
        if (w.kind != DebugPoints::WatchKind::Write) continue;
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
