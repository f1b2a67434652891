// A connection to qemu-ga, the QEMU guest agent, in a guest: through the VMM's vsock socket
// (Firecracker's convention: "CONNECT PORT\n", answered "OK HOSTPORT\n"), or through any
// stream already connected to an agent. The protocol is QMP-like JSON, one object per line:
// {"execute": NAME, "arguments": {...}} answered {"return": ...} or {"error": {"class", "desc"}}.
#pragma once
#include <chrono>
#include <cstdint>
#include <string>
#include <variant>

#include <nlohmann/json.hpp>

#include "common/scoped_fd.h"

namespace vessel::agent {

struct AgentError {
  enum class Kind {
    Unreachable,  // no agent listens (no vsock device, guest not booted, agent not running)
    Timeout,      // the agent took longer than allowed
    Failed,       // the agent answered with an error (its class and description are in message)
    Protocol,     // the agent answered something that is not its protocol
  };
  Kind kind;
  std::string message;
};

template <typename T>
class [[nodiscard]] AgentResult {
 public:
  AgentResult(T value) : v_(std::move(value)) {}
  AgentResult(AgentError e) : v_(std::move(e)) {}
  explicit operator bool() const { return v_.index() == 0; }
  T& value() { return std::get<0>(v_); }
  T* operator->() { return &value(); }
  T& operator*() { return value(); }
  const AgentError& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, AgentError> v_;
};

using Clock = std::chrono::steady_clock;

class QgaClient {
 public:
  // Connects through the vsock socket of a VMM to guest port `port`, then synchronises.
  static AgentResult<QgaClient> connect_vsock(const std::string& vsock_socket, uint32_t port, Clock::time_point deadline);
  // Takes a stream connected to an agent (tests, virtio-serial), then synchronises.
  static AgentResult<QgaClient> over(ScopedFd fd, Clock::time_point deadline);

  // Runs one command: its "return" value.
  AgentResult<nlohmann::json> call(const std::string& command, const nlohmann::json& arguments,
                                   Clock::time_point deadline);
  // For commands that answer only when they fail (guest-shutdown): sends, then waits until
  // `deadline` for an error; the agent closing the connection, or silence, is success.
  AgentResult<bool> call_quiet(const std::string& command, const nlohmann::json& arguments, Clock::time_point deadline);

 private:
  explicit QgaClient(ScopedFd fd) : fd_(std::move(fd)) {}
  // guest-sync-delimited: the answer follows a 0xFF byte, so whatever an earlier client
  // left unread is skipped up to it, and the answer must carry our random id.
  AgentResult<bool> synchronise(Clock::time_point deadline);
  AgentResult<bool> send_line(const std::string& line, Clock::time_point deadline);
  // The next line, without its newline; Timeout at the deadline, Unreachable on EOF.
  AgentResult<std::string> read_line(Clock::time_point deadline);
  // Reads until a 0xFF byte.
  AgentResult<bool> skip_to_delimiter(Clock::time_point deadline);
  AgentResult<bool> fill(Clock::time_point deadline);

  ScopedFd fd_;
  std::string buffer_;
};

}  // namespace vessel::agent
