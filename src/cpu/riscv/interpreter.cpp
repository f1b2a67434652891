#include "cpu/riscv/interpreter.h"

#include <cstdio>

#include "cpu/riscv/memory_access.h"

namespace vessel::riscv {
namespace {

void illegal(Hart& h, uint32_t) { h.raise_illegal(); }

}  // namespace

Interpreter::Interpreter(Hart& hart) : hart_(hart), decoder_(Decoder::for_cpu(hart.cpu)), blocks_(decoder_) {}

void Interpreter::decode(DecodedEntry& e, uint64_t pc, uint32_t raw) {
  e.pc = pc;
  e.raw = raw;
  e.insn = (raw & 3) == 3 ? raw : decoder_.expand(static_cast<uint16_t>(raw));
  const Encoding* enc = e.insn ? decoder_.find(e.insn) : nullptr;
  e.handler = enc ? enc->handler : illegal;
}

void Interpreter::step() {
  Hart& h = hart_;
  uint32_t raw;
  h.trapped = false;
  if (!fetch(h, h.pc, raw)) {  // fetch fault: the trap is already set up
    h.pc = h.next_pc;
    return;
  }
  const bool compressed = (raw & 3) != 3;
  if (compressed) raw &= 0xffff;
  DecodedEntry& e = cache_[slot(h.pc)];
  if (e.pc != h.pc || e.raw != raw) [[unlikely]] decode(e, h.pc, raw);
  h.cur_insn = raw;
  h.next_pc = h.pc + (compressed ? 2 : 4);
  if (trace) fprintf(stderr, "core %lu: 0x%016lx (0x%08x)\n", h.hartid, h.pc, h.cur_insn);
  e.handler(h, e.insn);
  h.x[0] = 0;
  h.pc = h.next_pc;
  h.instret += !h.trapped;
}

uint64_t Interpreter::run_batch(uint64_t budget) {
  if (decoded_blocks && !trace) return run_blocks(budget);
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
