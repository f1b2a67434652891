// Zawrs: wait on reservation set. WRS.NTO and WRS.STO may end at any time; here they end at
// once, after a short stall (a host pause and a yield of the vCPU thread), which keeps a
// guest's lock waiters from taking a host core from the thread they wait for.
#include <thread>

#include "cpu/riscv/decoder.h"
#include "cpu/riscv/hart.h"

namespace vessel::riscv {
namespace {

void wrs(Hart&, uint32_t) {
  __builtin_ia32_pause();
  std::this_thread::yield();
}

constexpr Encoding kTable[] = {
    encoding("wrs.nto", "000000001101 00000 000 00000 1110011", wrs),
    encoding("wrs.sto", "000000011101 00000 000 00000 1110011", wrs),
};

}  // namespace

std::span<const Encoding> zawrs_encodings() { return kTable; }

}  // namespace vessel::riscv
