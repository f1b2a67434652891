// Persistence of one hart: integer and FP registers, pc, privilege, every CSR (with fflags,
// frm, PMP and stimecmp), mip, mtimecmp, instret and the WFI flag. The LR reservation is
// dropped (a pending SC fails, which the architecture allows at any time) and the TLB is
// flushed on restore.
#pragma once
#include "cpu/riscv/hart.h"
#include "snapshot/state_stream.h"

namespace vessel::snapshot {

void save_hart(const riscv::Hart& h, StateWriter& out);
// Returns false with in.error() on a malformed section.
bool restore_hart(riscv::Hart& h, StateReader& in);

}  // namespace vessel::snapshot
