// A port on a VDE switch (Debian's vde_switch, through libvdeplug): frames go to and from an
// unprivileged L2 segment that other Vessel VMs, QEMU VMs (-netdev vde) and slirpvde share.
// The switch is a separate process; a VM joins it by the switch's socket directory.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "common/event_loop.h"
#include "common/result.h"
#include "net/net_backend.h"

struct vdeconn;  // libvdeplug's connection

namespace vessel::net {

class VdeBackend : public NetBackend {
 public:
  // `switch_path`: the switch's socket directory (vde_switch -s), or any libvdeplug URL.
  // `description` shows in the switch's port list (vde_switch's `port/print`).
  static Result<std::unique_ptr<VdeBackend>> create(EventLoop& loop, const std::string& switch_path,
                                                    const std::string& description);
  // Joins the switch now (the VMM jail, while still root) and keeps the connection for
  // create() with the same path. A back end made from it gives it back when destroyed, so a
  // guest reboot, which rebuilds the machine inside the jail, finds it again.
  static Result<bool> preopen(const std::string& switch_path);
  ~VdeBackend() override;
  VdeBackend(const VdeBackend&) = delete;
  VdeBackend& operator=(const VdeBackend&) = delete;

  const char* kind() const override { return "vde"; }
  void set_receiver(Receiver receiver) override { receiver_ = std::move(receiver); }
  bool send(const uint8_t* frame, size_t len) override;

 private:
  VdeBackend(EventLoop& loop, vdeconn* conn, std::string preopened_path);
  void on_readable();

  EventLoop& loop_;
  vdeconn* conn_;
  std::string preopened_path_;  // set when conn_ came from preopen(): returned, not closed
  int data_fd_;
  bool registered_ = false;
  std::vector<uint8_t> buffer_;
  Receiver receiver_;
};

}  // namespace vessel::net
