// Loads snapshot sections into a fuzz board the way VirtualMachine::restore_components does
// (src/vmm/vm_snapshot.cpp: harts, PLIC, UART, RTC, virtio slots, PCI functions, time), with the
// same components' restore functions; then lets the restored virtio devices take the chains
// their queues hold. The VM-level wiring (vCPU threads, drives) is not involved.
#pragma once
#include <string>

#include "machine/board.h"
#include "snapshot/snapshot_file.h"

namespace vessel::fuzz {

// A board with the devices every VM has (console, entropy, balloon) and a raw disk.
std::unique_ptr<machine::Board> make_restore_board();
// False with `error` at the first section that does not load.
bool restore_board(machine::Board& board, const snapshot::SnapshotFile& file, std::string& error);

}  // namespace vessel::fuzz
