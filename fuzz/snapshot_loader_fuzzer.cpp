// The snapshot loader: the container (magic, version, sections, checksum), the VM
// configuration in it, the guest memory image, and every component's state loaded into a
// board (harts, PLIC, UART, RTC, virtio devices, PCI), after which the restored devices take
// whatever their queues hold.
// Input: u8 corruption flag (then u32 position, u8 xor), then a section list (section_list.h).
#include <cstdint>
#include <cstring>

#include <nlohmann/json.hpp>

#include "fuzz/support/board_restore.h"
#include "fuzz/support/section_list.h"
#include "vmm/vm_config_json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vessel;
  using namespace vessel::fuzz;
  FuzzInput in(data, size);
  const bool corrupt = in.u8() & 1;
  const uint32_t position = corrupt ? in.u32() : 0;
  const uint8_t flip = corrupt ? in.u8() : 0;
  std::vector<std::vector<uint8_t>> storage;
  std::vector<uint8_t> image = snapshot::encode_snapshot_image(read_sections(in, storage));
  if (corrupt && !image.empty()) image[position % image.size()] ^= flip;
  auto file = snapshot::SnapshotFile::parse(image.data(), image.size(), "fuzz");
  if (!file) return 0;
  if (auto conf = file.value()->single(snapshot::make_tag("CONF")); conf && !memchr(conf->data, 0, conf->size)) {
    const auto j = nlohmann::json::parse(conf->data, conf->data + conf->size, nullptr, false);
    (void)vmm::config_from_json(j);
  }
  auto board = make_restore_board();
  std::string error;
  (void)restore_board(*board, *file.value(), error);
  return 0;
}
