// A TAP interface (/dev/net/tun, IFF_TAP | IFF_NO_PI): frames go to and from the host's
// network stack as they are. Needs CAP_NET_ADMIN, or a persistent tap owned by the user.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "common/event_loop.h"
#include "common/result.h"
#include "net/net_backend.h"

namespace vessel::net {

class TapBackend : public NetBackend {
 public:
  static Result<std::unique_ptr<TapBackend>> create(EventLoop& loop, const std::string& ifname);
  ~TapBackend() override;
  TapBackend(const TapBackend&) = delete;
  TapBackend& operator=(const TapBackend&) = delete;

  const char* kind() const override { return "tap"; }
  void set_receiver(Receiver receiver) override { receiver_ = std::move(receiver); }
  bool send(const uint8_t* frame, size_t len) override;
  const std::string& ifname() const { return ifname_; }

 private:
  TapBackend(EventLoop& loop, int fd, std::string ifname);
  static Result<std::unique_ptr<TapBackend>> adopt(EventLoop& loop, int fd, const std::string& ifname);
  void on_readable();

  EventLoop& loop_;
  int fd_;
  std::string ifname_;
  bool registered_ = false;
  std::vector<uint8_t> buffer_;
  Receiver receiver_;
};

// A descriptor of /dev/net/tun attached to TAP interface `ifname` (blocking; the caller owns
// it), or -1 with errno. The sandbox attaches before it drops CAP_NET_ADMIN.
int attach_tap(const std::string& ifname);

}  // namespace vessel::net
