// Every virtio device behind its virtio-mmio transport, driven the way a guest can: register
// writes in the device's window (feature negotiation, queue setup, notifications), arbitrary
// bytes in guest RAM (descriptor tables, rings, request headers and buffers) and turns of the
// I/O thread, which parses the virtqueues and runs each device's request path.
// Input: u8 device (see make_device), then GuestOps (fuzz/support/guest_ops.h) on window 0.
#include <cstdint>
#include <memory>

#include "devices/virtio/balloon/balloon_device.h"
#include "devices/virtio/block/block_device.h"
#include "devices/virtio/console/console_device.h"
#include "devices/virtio/net/net_device.h"
#include "devices/virtio/rng/rng_device.h"
#include "devices/virtio/vsock/vsock_device.h"
#include "fuzz/support/fuzz_board.h"
#include "fuzz/support/guest_ops.h"
#include "fuzz/support/scratch_dir.h"
#include "machine/memory_map.h"
#include "storage/open_disk.h"
#include "storage/qcow2_create.h"

namespace vessel::fuzz {
namespace {

using namespace devices::virtio;

enum FuzzedDevice : uint8_t { kBlkRaw, kBlkQcow2, kRng, kConsole, kBalloon, kNet, kVsock, kDeviceCount };

// A network back end that takes every frame and never sends one by itself (frames from the
// network come from the input, through NetDevice::receive).
class SinkBackend : public net::NetBackend {
 public:
  const char* kind() const override { return "fuzz"; }
  void set_receiver(Receiver) override {}
  bool send(const uint8_t*, size_t) override { return true; }
};

std::unique_ptr<storage::DiskImage> open_image(bool qcow2) {
  std::string path;
  if (qcow2) {
    path = scratch_dir() + "/disk.qcow2";
    storage::qcow2::CreateOptions options;
    options.size = 1 << 20;
    options.cluster_size = 4096;
    if (!storage::qcow2::create_image(path, options)) abort();
  } else {
    path = scratch_file("disk.raw", std::vector<uint8_t>(64 * 1024, 0x5a));
  }
  auto image = storage::open_disk(path, std::nullopt, false);
  if (!image) abort();
  return std::move(image.value());
}

}  // namespace
}  // namespace vessel::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vessel;
  using namespace vessel::fuzz;
  FuzzInput in(data, size);
  auto board = make_fuzz_board();
  const uint8_t which = in.u8() % kDeviceCount;
  GuestOps::BackendOp backend;
  std::unique_ptr<VirtioDevice> device;
  switch (which) {
    case kBlkRaw:
    case kBlkQcow2:
      device = std::make_unique<BlockDevice>(open_image(which == kBlkQcow2), false, "fuzz-serial");
      break;
    case kRng: device = std::make_unique<RngDevice>(); break;
    case kConsole: {
      auto console = std::make_unique<ConsoleDevice>([](const uint8_t*, size_t) {});
      backend = [c = console.get()](const std::vector<uint8_t>& p) { c->receive(p.data(), p.size()); };
      device = std::move(console);
      break;
    }
    case kBalloon: device = std::make_unique<BalloonDevice>(); break;
    case kNet: {
      auto nic = std::make_unique<NetDevice>(std::make_unique<SinkBackend>(), MacAddress{2, 0, 0, 0, 0, 1});
      backend = [n = nic.get()](const std::vector<uint8_t>& p) { n->receive(p.data(), p.size()); };
      device = std::move(nic);
      break;
    }
    case kVsock: {
      auto muxer = vsock::Muxer::create(3, "");
      if (!muxer) abort();
      device = std::make_unique<VsockDevice>(std::move(muxer.value()));
      break;
    }
  }
  if (!board->add_virtio(std::move(device))) abort();
  GuestOps ops(board->as, &board->io, {{machine::map::kVirtio.base, machine::map::kVirtio.size}}, backend);
  ops.play(in);
  return 0;
}
