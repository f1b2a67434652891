#include "cpu/riscv/interpreter.h"

#include <cstdio>

#include "cpu/riscv/memory_access.h"

namespace vessel::riscv {
namespace {

void illegal(Hart& h, uint32_t) { h.raise_illegal(); }

}  // namespace

Interpreter::Interpreter(Hart& hart) : hart_(hart), decoder_(Decoder::instance()) {}

// A small direct-mapped cache from instruction word to handler saves the table scan for
// the instructions a program executes over and over.
Handler Interpreter::lookup(uint32_t insn) {
  CacheEntry& c = cache_[(insn ^ (insn >> 12) ^ (insn >> 20)) & (kCacheSize - 1)];
  if (c.insn == insn) return c.handler;
  const Encoding* e = decoder_.find(insn);
  c.insn = insn;
  c.handler = e ? e->handler : illegal;
  return c.handler;
}

void Interpreter::step() {
  Hart& h = hart_;
  uint32_t raw;
  h.trapped = false;
  if (!fetch(h, h.pc, raw)) {  // fetch fault: the trap is already set up
    h.pc = h.next_pc;
    return;
  }
  uint32_t insn;
  if ((raw & 3) == 3) {
    insn = raw;
    h.cur_insn = raw;
    h.next_pc = h.pc + 4;
  } else {
    h.cur_insn = raw & 0xffff;
    insn = decoder_.expand(static_cast<uint16_t>(raw));
    h.next_pc = h.pc + 2;
  }
  if (trace) fprintf(stderr, "core %lu: 0x%016lx (0x%08x)\n", h.hartid, h.pc, h.cur_insn);
  if (insn == 0) {
    h.raise_illegal();
  } else {
    lookup(insn)(h, insn);
  }
  h.x[0] = 0;
  h.pc = h.next_pc;
  h.instret += !h.trapped;
}

uint64_t Interpreter::run_batch(uint64_t budget) {
  Hart& h = hart_;
  h.end_batch = false;
  uint64_t n = 0;
  while (n < budget && !h.end_batch) {
    step();
    ++n;
  }
  return n;
}

}  // namespace vessel::riscv
