// Zicond: integer conditional operations (branch-free selects).
#include "cpu/riscv/decoder.h"
#include "cpu/riscv/hart.h"
#include "cpu/riscv/insn_fields.h"

namespace vessel::riscv {
namespace {

using namespace field;

void czero_eqz(Hart& h, uint32_t i) { h.x[rd(i)] = h.x[rs2(i)] == 0 ? 0 : h.x[rs1(i)]; }
void czero_nez(Hart& h, uint32_t i) { h.x[rd(i)] = h.x[rs2(i)] != 0 ? 0 : h.x[rs1(i)]; }

constexpr Encoding kTable[] = {
    encoding("czero.eqz", "0000111 ????? ????? 101 ????? 0110011", czero_eqz),
    encoding("czero.nez", "0000111 ????? ????? 111 ????? 0110011", czero_nez),
};

}  // namespace

std::span<const Encoding> zicond_encodings() { return kTable; }

}  // namespace vessel::riscv
