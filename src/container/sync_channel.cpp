#include "container/sync_channel.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "container/error.h"

namespace vessel::container {

namespace {
struct Header {
  uint32_t kind;
  uint32_t reserved;
  int64_t value;
};
constexpr size_t kMaxText = 4000;
}  // namespace

std::pair<SyncChannel, SyncChannel> SyncChannel::make_pair() {
  int fds[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) != 0) throw_errno("socketpair");
  return {SyncChannel(fds[0]), SyncChannel(fds[1])};
}

SyncChannel& SyncChannel::operator=(SyncChannel&& other) noexcept {
  if (this != &other) {
    close_fd();
    fd_ = other.fd_;
    other.fd_ = -1;
  }
  return *this;
}

SyncChannel::~SyncChannel() { close_fd(); }

void SyncChannel::close_fd() {
  if (fd_ >= 0) close(fd_);
  fd_ = -1;
}

bool SyncChannel::send(SyncKind kind, int64_t value, const std::string& text) const {
  char buf[sizeof(Header) + kMaxText];
  Header h{static_cast<uint32_t>(kind), 0, value};
  std::memcpy(buf, &h, sizeof h);
  const size_t n = std::min(text.size(), kMaxText);
  std::memcpy(buf + sizeof h, text.data(), n);
  ssize_t rc;
  do rc = ::send(fd_, buf, sizeof h + n, MSG_NOSIGNAL);
  while (rc < 0 && errno == EINTR);
  return rc == static_cast<ssize_t>(sizeof h + n);
}

std::optional<SyncMessage> SyncChannel::receive() const {
  char buf[sizeof(Header) + kMaxText];
  ssize_t n;
  do n = recv(fd_, buf, sizeof buf, 0);
  while (n < 0 && errno == EINTR);
  if (n < static_cast<ssize_t>(sizeof(Header))) return std::nullopt;
  Header h;
  std::memcpy(&h, buf, sizeof h);
  SyncMessage m;
  m.kind = static_cast<SyncKind>(h.kind);
  m.value = h.value;
  m.text.assign(buf + sizeof h, static_cast<size_t>(n) - sizeof h);
  return m;
}

}  // namespace vessel::container
