#include "fuzz/support/board_restore.h"

#include <cstdlib>

#include "devices/virtio/balloon/balloon_device.h"
#include "devices/virtio/block/block_device.h"
#include "devices/virtio/console/console_device.h"
#include "devices/virtio/rng/rng_device.h"
#include "fuzz/support/fuzz_board.h"
#include "fuzz/support/scratch_dir.h"
#include "snapshot/hart_state.h"
#include "snapshot/memory_image.h"
#include "snapshot/state_stream.h"
#include "storage/open_disk.h"

namespace vessel::fuzz {
namespace {

using snapshot::make_tag;
constexpr uint32_t kTime = make_tag("TIME"), kHart = make_tag("HART"), kPlic = make_tag("PLIC"),
                   kUart = make_tag("UART"), kRtc = make_tag("RTC "), kVirtio = make_tag("VIRT"),
                   kPci = make_tag("PCI "), kMemory = make_tag("MEM ");

}  // namespace

std::unique_ptr<machine::Board> make_restore_board() {
  auto board = make_fuzz_board(2);
  using namespace devices::virtio;
  auto disk = storage::open_disk(scratch_file("restore-disk.raw", std::vector<uint8_t>(16 * 1024, 0)),
                                 storage::DiskFormat::Raw, false);
  if (!disk) abort();
  if (!board->add_virtio(std::make_unique<BlockDevice>(std::move(disk.value()), false, "fuzz")) ||
      !board->add_virtio(std::make_unique<ConsoleDevice>([](const uint8_t*, size_t) {})) ||
      !board->add_virtio(std::make_unique<RngDevice>()) || !board->add_virtio(std::make_unique<BalloonDevice>()))
    abort();
  return board;
}

bool restore_board(machine::Board& board, const snapshot::SnapshotFile& file, std::string& error) {
  auto section = [&](uint32_t tag, const char* what, auto&& fn) {
    auto s = file.single(tag);
    if (!s) {
      error = s.error();
      return false;
    }
    snapshot::StateReader in(s->data, s->size, what);
    if (!fn(in) || !in.finish()) {
      error = in.error();
      return false;
    }
    return true;
  };
  if (auto mem = file.single(kMemory)) {
    memory::GuestRam& ram = board.as.ram();
    if (!snapshot::decode_memory(mem->data, mem->size, ram.host(), ram.size(), error)) return false;
  }
  const auto harts = file.all(kHart);
  if (harts.size() != board.harts.size()) {
    error = "hart sections";
    return false;
  }
  for (size_t i = 0; i < harts.size(); ++i) {
    snapshot::StateReader in(harts[i].data, harts[i].size, "hart");
    if (!snapshot::restore_hart(*board.harts[i], in)) {
      error = in.error();
      return false;
    }
  }
  if (!section(kPlic, "PLIC", [&](auto& in) { return board.plic->restore_state(in); }) ||
      !section(kUart, "UART", [&](auto& in) { return board.uart->restore_state(in); }) ||
      !section(kRtc, "RTC", [&](auto& in) { return board.rtc->restore_state(in); }))
    return false;
  const auto virtio = file.all(kVirtio);
  if (virtio.size() != board.virtio.size()) {
    error = "virtio sections";
    return false;
  }
  for (size_t i = 0; i < virtio.size(); ++i) {
    snapshot::StateReader in(virtio[i].data, virtio[i].size, "virtio");
    if (in.u32() != i) in.fail("slots out of order");
    if (!in.ok() || !board.virtio[i]->restore_state(in)) {
      error = in.error();
      return false;
    }
  }
  std::vector<unsigned> slots;
  for (unsigned slot = 0; slot < devices::pci::PciRoot::kSlots; ++slot)
    if (board.pci->function(slot)) slots.push_back(slot);
  const auto pci = file.all(kPci);
  if (pci.size() != slots.size() && !(pci.empty() && slots.size() == 1)) {
    error = "PCI sections";
    return false;
  }
  for (size_t i = 0; i < pci.size(); ++i) {
    snapshot::StateReader in(pci[i].data, pci[i].size, "PCI");
    if (in.u32() != slots[i]) in.fail("slots out of order");
    if (!in.ok() || !board.pci->function(slots[i])->restore_state(in) || !in.finish()) {
      error = in.error();
      return false;
    }
  }
  board.pci->update_decoding();
  uint64_t ticks = 0;
  if (!section(kTime, "time", [&](auto& in) {
        ticks = in.u64();
        return in.ok();
      }))
    return false;
  board.timebase.set(ticks);
  for (int turn = 0; turn < 16 && board.io.run_ready() > 0; ++turn) {
  }
  return true;
}

}  // namespace vessel::fuzz
