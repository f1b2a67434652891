// Requests between harts and the one way a hart waits for others (docs/design.md, "Cross-hart
// waits"): a hart waiting for other harts keeps serving what is addressed to itself, so two
// harts fencing each other both finish, and a pause parks it in the middle of the wait.
#include <array>

#include "vmm/virtual_machine.h"

namespace vessel::vmm {

void VirtualMachine::service_requests(unsigned id) {
  Vcpu& v = *vcpus_[id];
  // seq_cst: ordered after set_quiescent(false), so a request posted while the hart looked
  // quiescent is seen here.
  const uint64_t req = v.flush_requested.load(std::memory_order_seq_cst);
  if (req != v.flush_done.load(std::memory_order_relaxed)) {
    board_->harts[id]->flush_tlb();
    v.flush_done.store(req, std::memory_order_release);
    hart_events_.notify();
  }
}

void VirtualMachine::set_quiescent(unsigned id, bool quiescent) {
  vcpus_[id]->quiescent.store(quiescent, std::memory_order_seq_cst);
  if (quiescent) hart_events_.notify();  // it no longer holds anyone up
}

void VirtualMachine::wait_serving(unsigned self, const std::function<bool()>& done) {
  riscv::Hart& h = *board_->harts[self];
  for (;;) {
    const uint64_t seen = hart_events_.epoch();  // before the checks: a later change ends wait()
    service_requests(self);
    if (h.stop_requested.load()) return;  // the VM is ending: nobody needs the answer
    if (h.park_requested.load()) {
      // Parked inside the SBI call: pc still points at the ECALL and its arguments are intact,
      // so a snapshot taken now repeats the (idempotent) call after a restore. A debugger must
      // not execute this hart meanwhile: this thread finishes the call when it resumes.
      vcpus_[self]->parked_mid_call.store(true);
      park(self);
      vcpus_[self]->parked_mid_call.store(false);
      continue;
    }
    if (done()) return;
    hart_events_.wait(seen);
  }
}

void VirtualMachine::remote_sfence(uint64_t targets, riscv::Hart& self) {
  // Post every request first, then wait for all of them at once.
  uint64_t awaited = 0;
  std::array<uint64_t, 64> ticket{};
  for (unsigned id = 0; id < vcpus_.size(); ++id) {
    if (!((targets >> id) & 1)) continue;
    if (id == self.hartid) {
      self.flush_tlb();
      continue;
    }
    ticket[id] = vcpus_[id]->flush_requested.fetch_add(1, std::memory_order_seq_cst) + 1;
    awaited |= 1ull << id;
  }
  if (!awaited) return;
  hart_events_.notify();  // a target asleep in its own wait_serving must flush now
  // A target is done once it flushed, or while it runs no guest code: it flushes before it
  // runs again (WFI sleep and parking are quiescent; a stopped hart flushes when started).
  wait_serving(static_cast<unsigned>(self.hartid), [&] {
    for (unsigned id = 0; id < vcpus_.size(); ++id) {
      if (!((awaited >> id) & 1)) continue;
      const Vcpu& v = *vcpus_[id];
      if (v.flush_done.load(std::memory_order_acquire) >= ticket[id] || v.quiescent.load() ||
          v.state.load() != machine::HartState::Started || board_->harts[id]->stop_requested.load())
        awaited &= ~(1ull << id);
    }
    return awaited == 0;
  });
}

void VirtualMachine::remote_fence_i(uint64_t, riscv::Hart&) {
  // Every hart's translated code is checked against guest memory before it runs again.
  std::atomic_thread_fence(std::memory_order_seq_cst);
  code_epoch_.fetch_add(1, std::memory_order_release);
}

}  // namespace vessel::vmm
