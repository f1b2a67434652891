// The board the guest-facing targets drive: the real machine::Board (harts, PLIC, CLINT,
// UART, RTC, test device, virtio-mmio slots, PCI root) with a small RAM, built fresh for
// every input so that no state leaks from one run into the next.
#pragma once
#include <memory>

#include "machine/board.h"

namespace vessel::fuzz {

constexpr uint64_t kFuzzRamBytes = 1 << 20;

// Aborts if the board cannot be built (that is a bug of the target, not a finding).
std::unique_ptr<machine::Board> make_fuzz_board(unsigned harts = 1);

}  // namespace vessel::fuzz
