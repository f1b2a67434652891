#include "net/tap_backend.h"
#include "common/host_open.h"

#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace vessel::net {

Result<std::unique_ptr<TapBackend>> TapBackend::create(EventLoop& loop, const std::string& ifname) {
  if (ifname.empty() || ifname.size() >= IFNAMSIZ)
    return Error{"--net tap: ifname must be 1.." + std::to_string(IFNAMSIZ - 1) + " characters"};
  ifreq ifr{};
  ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
  memcpy(ifr.ifr_name, ifname.data(), ifname.size());
  // A jailed VMM gets the descriptor attached before it gave up CAP_NET_ADMIN.
  if (const int ready = preopened_tap(ifname); ready >= 0) {
    (void)fcntl(ready, F_SETFL, fcntl(ready, F_GETFL) | O_NONBLOCK);
    return adopt(loop, ready, ifr.ifr_name);
  }
  const int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return Error{std::string("--net tap: /dev/net/tun: ") + strerror(errno)};
  if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
    const int e = errno;
    close(fd);
    return Error{"--net tap: cannot attach to " + ifname + ": " + strerror(e) +
                 (e == EPERM ? " (needs CAP_NET_ADMIN, or a tap made with `ip tuntap add ... user $USER`)" : "")};
  }
  return adopt(loop, fd, ifr.ifr_name);
}

Result<std::unique_ptr<TapBackend>> TapBackend::adopt(EventLoop& loop, int fd, const std::string& ifname) {
  std::unique_ptr<TapBackend> b(new TapBackend(loop, fd, ifname));
  if (!loop.add(fd, [p = b.get()](uint32_t) { p->on_readable(); }))
    return Error{"--net tap: cannot watch " + ifname};
  b->registered_ = true;
  return b;
}

int attach_tap(const std::string& ifname) {
  if (ifname.empty() || ifname.size() >= IFNAMSIZ) {
    errno = EINVAL;
    return -1;
  }
  const int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
  if (fd < 0) return -1;
  ifreq ifr{};
  ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
  memcpy(ifr.ifr_name, ifname.data(), ifname.size());
  if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
    const int e = errno;
    close(fd);
    errno = e;
    return -1;
  }
  return fd;
}

TapBackend::TapBackend(EventLoop& loop, int fd, std::string ifname)
    : loop_(loop), fd_(fd), ifname_(std::move(ifname)), buffer_(kMaxFrame) {}

TapBackend::~TapBackend() {
  if (registered_) loop_.remove(fd_);
  close(fd_);
}

bool TapBackend::send(const uint8_t* frame, size_t len) {
  // Non-blocking: when the host side cannot take the frame, it is dropped like on a wire.
  return write(fd_, frame, len) == static_cast<ssize_t>(len);
}

void TapBackend::on_readable() {
  // Bounded per wake-up so other devices get their turn; the fd stays readable if more wait.
  for (int i = 0; i < 64; ++i) {
    const ssize_t n = read(fd_, buffer_.data(), buffer_.size());
    if (n <= 0) return;
    if (receiver_) receiver_(buffer_.data(), static_cast<size_t>(n));
  }
}

}  // namespace vessel::net
