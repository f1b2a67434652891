// Zimop: may-be-operations. Until an extension redefines them, mop.r.n and mop.rr.n only
// write 0 to rd. (Zcmop's c.mop.n, which write nothing, expand to a nop in isa_c.cpp.)
#include "cpu/riscv/decoder.h"
#include "cpu/riscv/hart.h"
#include "cpu/riscv/insn_fields.h"

namespace vessel::riscv {
namespace {

void mop(Hart& h, uint32_t i) { h.x[field::rd(i)] = 0; }

constexpr Encoding kTable[] = {
    encoding("mop.r", "1?00??0111?? ????? 100 ????? 1110011", mop),   // mop.r.0 .. mop.r.31
    encoding("mop.rr", "1?00??1 ????? ????? 100 ????? 1110011", mop),  // mop.rr.0 .. mop.rr.7
};

}  // namespace

std::span<const Encoding> zimop_encodings() { return kTable; }

}  // namespace vessel::riscv
