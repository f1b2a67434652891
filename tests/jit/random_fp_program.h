// Random floating-point programs for the differential test: F and D instructions on operands
// chosen to hit the edges (NaNs quiet and signaling, infinities, zeros of both signs,
// subnormals, the limits of every integer conversion, unboxed singles), every static
// rounding mode and the dynamic one, interleaved with reads and writes of fflags, frm and
// fcsr and with mstatus.FS switched off and on.
#pragma once
#include <random>

#include "random_program.h"

namespace vessel::jit::test {

RandomProgram make_random_fp_program(std::mt19937_64& rng, unsigned instructions);

}  // namespace vessel::jit::test
