// virtio-9p (virtio 1.2 section 5.9 in spirit; device id 9): one request queue in front of a
// 9P2000.L server (p9_server.h) exporting one host directory under a mount tag. Each chain
// is one T-message (readable buffers) and room for its reply (writable buffers). Requests
// run on the VM's I/O thread, synchronously, like virtio-blk's.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "devices/virtio/9p/p9_server.h"
#include "devices/virtio/virtio_device.h"

namespace vessel::devices::virtio {

class P9Device : public VirtioDevice {
 public:
  static constexpr uint64_t kFeatureMountTag = 1ull << 0;  // VIRTIO_9P_MOUNT_TAG
  static constexpr size_t kMaxTag = 64;

  P9Device(std::string tag, p9::ShareRoot root, bool read_only);

  uint32_t device_id() const override { return 9; }
  const char* name() const override { return "9p"; }
  uint64_t device_features() const override { return kFeatureMountTag; }
  unsigned num_queues() const override { return 1; }
  uint16_t queue_max_size(unsigned) const override { return 1024; }  // room for a large msize's scatter list
  void read_config(uint64_t offset, uint8_t* data, unsigned len) override;
  bool activate(const ActiveState& state, std::string& error) override;
  void reset() override;
  bool process_queue(unsigned q) override;
  // Snapshot (p9_persist.cpp's session state): fids are reopened by path on restore.
  void save_state(snapshot::StateWriter& out) override;
  bool restore_state(snapshot::StateReader& in) override;

  const std::string& tag() const { return tag_; }
  const p9::Server& server() const { return server_; }

 private:
  std::string tag_;
  std::vector<uint8_t> config_;  // le16 tag_len, then the tag (no terminator)
  p9::Server server_;
  ActiveState state_;
  std::vector<uint8_t> request_, reply_;
};

}  // namespace vessel::devices::virtio
