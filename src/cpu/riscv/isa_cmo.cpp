// Cache-block operations: Zicbom (cbo.clean, cbo.flush, cbo.inval) and Zicboz (cbo.zero).
// Memory is coherent here, so management operations only check that the block may be
// accessed (faulting like a store otherwise); cbo.zero writes 64 zero bytes through the MMU.
// Zicbop's prefetch.i/r/w are ORI with rd = x0: hints the base table already runs.
#include "cpu/riscv/decoder.h"
#include "cpu/riscv/hart.h"
#include "cpu/riscv/insn_fields.h"

namespace vessel::riscv {
namespace {

using namespace field;

// xenvcfg enables below M-mode: menvcfg for S and U, senvcfg also for U (privileged spec,
// "Machine/Supervisor Environment Configuration Registers").
bool enabled(const Hart& h, uint64_t field_mask) {
  if (h.priv == Priv::Machine) return true;
  if (!(h.csr.menvcfg & field_mask)) return false;
  return h.priv == Priv::Supervisor || (h.csr.senvcfg & field_mask) != 0;
}

void cbo_clean_flush(Hart& h, uint32_t i) {
  if (!enabled(h, envcfg::kCBCFE)) return h.raise_illegal();
  (void)h.cache_block_op(h.x[rs1(i)], false);
}
// CBIE = 01 makes cbo.inval a flush, 11 an invalidation: the same with coherent memory.
void cbo_inval(Hart& h, uint32_t i) {
  if (!enabled(h, envcfg::kCBIE)) return h.raise_illegal();
  (void)h.cache_block_op(h.x[rs1(i)], false);
}
void cbo_zero(Hart& h, uint32_t i) {
  if (!enabled(h, envcfg::kCBZE)) return h.raise_illegal();
  (void)h.cache_block_op(h.x[rs1(i)], true);
}

constexpr Encoding kZicbom[] = {
    encoding("cbo.inval", "000000000000 ????? 010 00000 0001111", cbo_inval),
    encoding("cbo.clean", "000000000001 ????? 010 00000 0001111", cbo_clean_flush),
    encoding("cbo.flush", "000000000010 ????? 010 00000 0001111", cbo_clean_flush),
};
constexpr Encoding kZicboz[] = {
    encoding("cbo.zero", "000000000100 ????? 010 00000 0001111", cbo_zero),
};

}  // namespace

std::span<const Encoding> zicbom_encodings() { return kZicbom; }
std::span<const Encoding> zicboz_encodings() { return kZicboz; }

}  // namespace vessel::riscv
