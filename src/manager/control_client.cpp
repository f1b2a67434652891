#include "manager/control_client.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "http/http_client.h"

namespace vessel::manager {

Result<nlohmann::json> control_request(const std::string& socket_path, const nlohmann::json& request,
                                       std::chrono::milliseconds timeout) {
  const int fd = http::connect_unix(socket_path);
  if (fd < 0) return Error{"cannot connect to the VMM control socket: " + std::string(strerror(errno))};
  const std::string line = request.dump() + "\n";
  if (send(fd, line.data(), line.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(line.size())) {
    close(fd);
    return Error{"cannot send to the VMM control socket"};
  }
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string answer;
  char buf[4096];
  while (answer.find('\n') == std::string::npos) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
    pollfd p{fd, POLLIN, 0};
    if (left <= 0 || poll(&p, 1, static_cast<int>(left)) == 0) {
      close(fd);
      return Error{"the VMM did not answer in time"};
    }
    const ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      close(fd);
      return Error{"the VMM closed its control connection"};
    }
    answer.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  auto j = nlohmann::json::parse(answer.substr(0, answer.find('\n')), nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Error{"the VMM sent a malformed answer"};
  return j;
}

}  // namespace vessel::manager
