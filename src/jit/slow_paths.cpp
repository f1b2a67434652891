#include "jit/slow_paths.h"

#include "cpu/riscv/decoder.h"
#include "cpu/riscv/memory_access.h"
#include "jit/host_fp_flags.h"

namespace vessel::jit {

template <typename T>
uint64_t slow_load(riscv::Hart* h, uint64_t vaddr) {
  T v;
  if (!riscv::load<T>(*h, vaddr, v)) return 0;
  return static_cast<uint64_t>(static_cast<int64_t>(v));
}

template <typename T>
void slow_store(riscv::Hart* h, uint64_t vaddr, uint64_t value) {
  (void)riscv::store<T>(*h, vaddr, static_cast<T>(value));
}

void call_handler(riscv::Hart* h, uint64_t handler, uint32_t insn) {
  reinterpret_cast<riscv::Handler>(handler)(*h, insn);
  h->x[0] = 0;
}

void call_csr_handler(riscv::Hart* h, uint64_t handler, uint32_t insn) {
  fold_and_clear_host_fp_flags(*h);
  call_handler(h, handler, insn);
}

template uint64_t slow_load<int8_t>(riscv::Hart*, uint64_t);
template uint64_t slow_load<int16_t>(riscv::Hart*, uint64_t);
template uint64_t slow_load<int32_t>(riscv::Hart*, uint64_t);
template uint64_t slow_load<int64_t>(riscv::Hart*, uint64_t);
template uint64_t slow_load<uint8_t>(riscv::Hart*, uint64_t);
template uint64_t slow_load<uint16_t>(riscv::Hart*, uint64_t);
template uint64_t slow_load<uint32_t>(riscv::Hart*, uint64_t);
template void slow_store<uint8_t>(riscv::Hart*, uint64_t, uint64_t);
template void slow_store<uint16_t>(riscv::Hart*, uint64_t, uint64_t);
template void slow_store<uint32_t>(riscv::Hart*, uint64_t, uint64_t);
template void slow_store<uint64_t>(riscv::Hart*, uint64_t, uint64_t);

}  // namespace vessel::jit
