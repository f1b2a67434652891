// Offsets of the hart fields translated code touches, relative to the Hart object (rbx).
// Measured on a live hart rather than with offsetof: Hart is not standard-layout.
#pragma once
#include <cstdint>

#include "cpu/riscv/hart.h"

namespace vessel::jit {

struct HartLayout {
  int32_t x = 0, pc = 0, next_pc = 0, instret = 0, trapped = 0, cur_insn = 0, end_batch = 0, fetch_ctx = 0,
          data_ctx = 0, f = 0, mstatus = 0, frm = 0, fflags = 0, tlb_epoch = 0;
  int32_t tlb_read[riscv::kNumCtx] = {}, tlb_write[riscv::kNumCtx] = {};

  explicit HartLayout(const riscv::Hart& h) {
    auto off = [&](const void* field) {
      return static_cast<int32_t>(reinterpret_cast<const uint8_t*>(field) - reinterpret_cast<const uint8_t*>(&h));
    };
    x = off(&h.x[0]);
    pc = off(&h.pc);
    next_pc = off(&h.next_pc);
    instret = off(&h.instret);
    trapped = off(&h.trapped);
    cur_insn = off(&h.cur_insn);
    end_batch = off(&h.end_batch);
    fetch_ctx = off(&h.fetch_ctx);
    data_ctx = off(&h.data_ctx);
    f = off(&h.f[0]);
    mstatus = off(&h.csr.mstatus);
    frm = off(&h.csr.frm);
    fflags = off(&h.csr.fflags);
    tlb_epoch = off(&h.tlb_epoch);
    for (unsigned c = 0; c < riscv::kNumCtx; ++c) {
      tlb_read[c] = off(&h.tlb[c].read.e[0]);
      tlb_write[c] = off(&h.tlb[c].write.e[0]);
    }
  }
  int32_t reg(unsigned r) const { return x + 8 * static_cast<int32_t>(r); }
  int32_t freg(unsigned r) const { return f + 8 * static_cast<int32_t>(r); }
};

}  // namespace vessel::jit
