#include "control_client.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdio>
#include <thread>

namespace vessel::test {

nlohmann::json control(const std::string& path, const nlohmann::json& request) {
  const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path.c_str());
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return nullptr;
  }
  const std::string line = request.dump() + "\n";
  (void)!send(fd, line.data(), line.size(), MSG_NOSIGNAL);  // the VMM may be exiting: no SIGPIPE
  std::string answer;
  char c;
  while (read(fd, &c, 1) == 1 && c != '\n') answer += c;
  close(fd);
  return nlohmann::json::parse(answer, nullptr, false);
}

bool wait_for_vm(const std::string& socket, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    const auto r = control(socket, {{"op", "status"}});
    if (r.is_object() && r.value("ok", false)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));  // poll interval, not synchronisation
  }
  return false;
}

}  // namespace vessel::test
