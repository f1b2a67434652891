#include "agent/qga_client.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <cerrno>
#include <cstring>
#include <random>

#include "common/unix_socket.h"

namespace vessel::agent {
namespace {

using nlohmann::json;

// An agent answer is one JSON object; command output and file data come base64-encoded in
// it, and vesseld asks for at most a few MiB at a time.
constexpr size_t kMaxLine = 64 * 1024 * 1024;

int remaining_ms(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return left <= 0 ? 0 : static_cast<int>(std::min<long long>(left, 1 << 30));
}

AgentError timeout(const char* what) { return {AgentError::Kind::Timeout, std::string("the guest agent did not answer in time (") + what + ")"}; }

}  // namespace

AgentResult<QgaClient> QgaClient::connect_vsock(const std::string& vsock_socket, uint32_t port, Clock::time_point deadline) {
  sockaddr_un addr{};
  if (!unix_address(vsock_socket, addr)) return AgentError{AgentError::Kind::Unreachable, "vsock socket path too long"};
  ScopedFd fd(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (fd.get() < 0) return AgentError{AgentError::Kind::Unreachable, std::string("socket: ") + strerror(errno)};
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
    return AgentError{AgentError::Kind::Unreachable,
                      "cannot reach the VM's vsock socket " + vsock_socket + ": " + strerror(errno)};
  QgaClient c(std::move(fd));
  if (auto r = c.send_line("CONNECT " + std::to_string(port), deadline); !r) return r.error();
  auto ok = c.read_line(deadline);
  if (!ok) {
    // The VMM closes the connection when the guest refuses it: nothing listens on that port.
    if (ok.error().kind == AgentError::Kind::Unreachable)
      return AgentError{AgentError::Kind::Unreachable,
                        "no guest agent listens on vsock port " + std::to_string(port) +
                            " (is qemu-ga running in the guest with --method=vsock-listen?)"};
    return ok.error();
  }
  if (ok->rfind("OK ", 0) != 0) return AgentError{AgentError::Kind::Protocol, "the VMM's vsock socket answered '" + *ok + "'"};
  if (auto s = c.synchronise(deadline); !s) return s.error();
  return c;
}

AgentResult<QgaClient> QgaClient::over(ScopedFd fd, Clock::time_point deadline) {
  QgaClient c(std::move(fd));
  if (auto s = c.synchronise(deadline); !s) return s.error();
  return c;
}

AgentResult<bool> QgaClient::send_line(const std::string& line, Clock::time_point deadline) {
  std::string data = line + "\n";
  size_t done = 0;
  while (done < data.size()) {
    pollfd p{fd_.get(), POLLOUT, 0};
    const int n = poll(&p, 1, remaining_ms(deadline));
    if (n < 0 && errno == EINTR) continue;
    if (n == 0) return timeout("sending");
    const ssize_t w = send(fd_.get(), data.data() + done, data.size() - done, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (w < 0 && (errno == EAGAIN || errno == EINTR)) continue;
    if (w < 0) return AgentError{AgentError::Kind::Unreachable, std::string("the agent connection broke: ") + strerror(errno)};
    done += static_cast<size_t>(w);
  }
  return true;
}

AgentResult<bool> QgaClient::fill(Clock::time_point deadline) {
  for (;;) {
    pollfd p{fd_.get(), POLLIN, 0};
    const int n = poll(&p, 1, remaining_ms(deadline));
    if (n < 0 && errno == EINTR) continue;
    if (n == 0) return timeout("reading");
    char buf[65536];
    const ssize_t r = recv(fd_.get(), buf, sizeof buf, MSG_DONTWAIT);
    if (r < 0 && (errno == EAGAIN || errno == EINTR)) continue;
    if (r <= 0) return AgentError{AgentError::Kind::Unreachable, "the guest agent closed the connection"};
    buffer_.append(buf, static_cast<size_t>(r));
    if (buffer_.size() > kMaxLine) return AgentError{AgentError::Kind::Protocol, "the guest agent's answer is too long"};
    return true;
  }
}

AgentResult<std::string> QgaClient::read_line(Clock::time_point deadline) {
  for (;;) {
    const size_t nl = buffer_.find('\n');
    if (nl != std::string::npos) {
      std::string line = buffer_.substr(0, nl);
      buffer_.erase(0, nl + 1);
      if (!line.empty() && line.back() == '\r') line.pop_back();
      return line;
    }
    if (auto r = fill(deadline); !r) return r.error();
  }
}

AgentResult<bool> QgaClient::skip_to_delimiter(Clock::time_point deadline) {
  for (;;) {
    const size_t at = buffer_.find('\xff');
    if (at != std::string::npos) {
      buffer_.erase(0, at + 1);
      return true;
    }
    buffer_.clear();
    if (auto r = fill(deadline); !r) return r.error();
  }
}

AgentResult<bool> QgaClient::synchronise(Clock::time_point deadline) {
  std::random_device rd;
  const int64_t id = std::uniform_int_distribution<int64_t>(1, (int64_t{1} << 52))(rd);
  json req{{"execute", "guest-sync-delimited"}, {"arguments", {{"id", id}}}};
  if (auto r = send_line(req.dump(), deadline); !r) return r.error();
  for (;;) {
    if (auto r = skip_to_delimiter(deadline); !r) return r.error();
    auto line = read_line(deadline);
    if (!line) return line.error();
    json j = json::parse(*line, nullptr, false);
    if (j.is_object() && j.contains("return") && j["return"] == id) return true;
    // Another 0xFF-led answer (an earlier client's sync): keep looking for ours.
  }
}

AgentResult<json> QgaClient::call(const std::string& command, const json& arguments, Clock::time_point deadline) {
  json req{{"execute", command}};
  if (!arguments.is_null() && !arguments.empty()) req["arguments"] = arguments;
  if (auto r = send_line(req.dump(), deadline); !r) return r.error();
  for (;;) {
    auto line = read_line(deadline);
    if (!line) return line.error();
    if (line->empty()) continue;
    json j = json::parse(*line, nullptr, false);
    if (!j.is_object()) return AgentError{AgentError::Kind::Protocol, "the guest agent answered something that is not JSON"};
    if (j.contains("return")) return j["return"];
    if (j.contains("error")) {
      const json& e = j["error"];
      return AgentError{AgentError::Kind::Failed, command + ": " + e.value("desc", e.dump()) + " (" + e.value("class", "") + ")"};
    }
    // Anything else (an event) is not an answer to us.
  }
}

AgentResult<bool> QgaClient::call_quiet(const std::string& command, const json& arguments, Clock::time_point deadline) {
  json req{{"execute", command}};
  if (!arguments.is_null() && !arguments.empty()) req["arguments"] = arguments;
  if (auto r = send_line(req.dump(), deadline); !r) return r.error();
  auto line = read_line(deadline);
  if (!line) {
    if (line.error().kind == AgentError::Kind::Protocol) return line.error();
    return true;  // closed or silent: the command went ahead
  }
  json j = json::parse(*line, nullptr, false);
  if (j.is_object() && j.contains("error")) {
    const json& e = j["error"];
    return AgentError{AgentError::Kind::Failed, command + ": " + e.value("desc", e.dump())};
  }
  return true;
}

}  // namespace vessel::agent
