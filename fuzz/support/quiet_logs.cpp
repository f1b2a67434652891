// Part of every fuzz target: a guest's malformed request is logged as a warning, which at
// thousands of inputs a second would be all the fuzzer prints (and a good part of its time).
// VESSEL_FUZZ_LOG=1 keeps the warnings, to see what an input does.
#include <cstdlib>

#include "common/log.h"

namespace {

const bool quiet = [] {
  if (!getenv("VESSEL_FUZZ_LOG")) vessel::log::set_level(vessel::log::Level::Error);
  return true;
}();

}  // namespace
