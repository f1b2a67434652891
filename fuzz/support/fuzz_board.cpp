#include "fuzz/support/fuzz_board.h"

#include <cstdlib>

namespace vessel::fuzz {

std::unique_ptr<machine::Board> make_fuzz_board(unsigned harts) {
  machine::BoardConfig config;
  config.memory_bytes = kFuzzRamBytes;
  config.harts = harts;
  auto board = machine::Board::create(config, [](const uint8_t*, size_t) {});
  if (!board) abort();
  return std::move(board.value());
}

}  // namespace vessel::fuzz
