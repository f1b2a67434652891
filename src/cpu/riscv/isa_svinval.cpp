// Svinval: fine-grained address-translation cache invalidation. SINVAL.VMA invalidates like
// SFENCE.VMA (the soft TLB is flushed whole, and the block ends); SFENCE.W.INVAL and
// SFENCE.INVAL.IR order the invalidations, which here take effect at once: no-ops.
#include "cpu/riscv/decoder.h"
#include "cpu/riscv/hart.h"

namespace vessel::riscv {
namespace {

void sinval_vma(Hart& h, uint32_t) {
  if (h.priv == Priv::User || (h.priv == Priv::Supervisor && (h.csr.mstatus & mstatus::kTVM))) return h.raise_illegal();
  h.flush_tlb();
  h.end_batch = true;
}
void sfence_ordering(Hart& h, uint32_t) {
  if (h.priv == Priv::User) h.raise_illegal();
}

constexpr Encoding kTable[] = {
    encoding("sinval.vma", "0001011 ????? ????? 000 00000 1110011", sinval_vma),
    encoding("sfence.w.inval", "0001100 00000 00000 000 00000 1110011", sfence_ordering),
    encoding("sfence.inval.ir", "0001100 00001 00000 000 00000 1110011", sfence_ordering),
};

}  // namespace

std::span<const Encoding> svinval_encodings() { return kTable; }

}  // namespace vessel::riscv
