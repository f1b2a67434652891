#include "container/console.h"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include <cstring>

#include "container/error.h"
#include "container/path_in_root.h"

namespace vessel::container {

int listen_console_socket(const std::string& path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof addr.sun_path) throw_bad_input("console socket path is too long: " + path);
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw_errno("console socket");
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || listen(fd, 1) != 0) {
    const int saved = errno;
    close(fd);
    errno = saved;
    throw_errno("listen on " + path);
  }
  return fd;
}

int connect_console_socket(const std::string& path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof addr.sun_path) throw_bad_input("console socket path is too long: " + path);
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw_errno("console socket");
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    const int saved = errno;
    close(fd);
    errno = saved;
    throw_errno("connect to console socket " + path);
  }
  return fd;
}

void send_fd(int socket_fd, int fd, const std::string& name) {
  send_with_fd(socket_fd, fd, std::string(name.c_str(), name.size() + 1), name);
}

void send_with_fd(int socket_fd, int fd, const std::string& payload, const std::string& what) {
  msghdr msg{};
  iovec iov{const_cast<char*>(payload.data()), payload.size()};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  cmsghdr* cmsg = CMSG_FIRSTHDR(&msg);
  cmsg->cmsg_level = SOL_SOCKET;
  cmsg->cmsg_type = SCM_RIGHTS;
  cmsg->cmsg_len = CMSG_LEN(sizeof(int));
  std::memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
  if (sendmsg(socket_fd, &msg, MSG_NOSIGNAL) < 0) throw_errno("send " + what + " descriptor");
}

int receive_fd(int socket_fd) {
  char name[256];
  msghdr msg{};
  iovec iov{name, sizeof name};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  if (recvmsg(socket_fd, &msg, MSG_CMSG_CLOEXEC) <= 0) return -1;
  cmsghdr* cmsg = CMSG_FIRSTHDR(&msg);
  if (!cmsg || cmsg->cmsg_type != SCM_RIGHTS) return -1;
  int fd = -1;
  std::memcpy(&fd, CMSG_DATA(cmsg), sizeof(int));
  return fd;
}

void setup_console(int socket_fd, bool bind_console, std::optional<std::pair<uint32_t, uint32_t>> size) {
  const int master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (master < 0) throw_errno("open /dev/ptmx");
  int unlock = 0;
  if (ioctl(master, TIOCSPTLCK, &unlock) != 0) throw_errno("unlock pty");
  unsigned pty_number = 0;
  if (ioctl(master, TIOCGPTN, &pty_number) != 0) throw_errno("pty number");
  const int slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY);
  if (slave < 0) throw_errno("open pty slave");
  if (size) {
    winsize ws{};
    ws.ws_row = static_cast<unsigned short>(size->first);
    ws.ws_col = static_cast<unsigned short>(size->second);
    ioctl(master, TIOCSWINSZ, &ws);
  }
  const std::string slave_path = "/dev/pts/" + std::to_string(pty_number);
  send_fd(socket_fd, master, slave_path);
  close(master);
  if (bind_console) {
    if (!ensure_mountpoint("/dev/console", true)) throw_errno("create /dev/console");
    if (mount(slave_path.c_str(), "/dev/console", nullptr, MS_BIND, nullptr) != 0) throw_errno("bind " + slave_path + " on /dev/console");
  }
  for (int target = 0; target < 3; ++target)
    if (dup2(slave, target) < 0) throw_errno("dup pty onto stdio");
  if (ioctl(0, TIOCSCTTY, 0) != 0) throw_errno("set controlling terminal");
  if (slave > 2) close(slave);
}

}  // namespace vessel::container
