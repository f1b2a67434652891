// Messages between the runtime and the processes it forks to build a container, over a
// SOCK_SEQPACKET socketpair (one message per send, EOF when the other side exits or execs).
#pragma once
#include <cstdint>
#include <optional>
#include <string>

namespace vessel::container {

enum class SyncKind : uint32_t {
  Proceed = 1,      // runtime -> child: the previous step is done, continue
  NeedIdMaps,       // child -> runtime: unshared a user namespace, write its uid/gid maps
  InitPid,          // child -> runtime: pid of the container process (value)
  RuntimeHooks,     // child -> runtime: mounts are ready, run createRuntime hooks now
  Created,          // child -> runtime: fully set up, waiting for start
  Failed,           // child -> runtime: text holds the error
  SeccompListener,  // child -> runtime: a seccomp listener fd follows (SCM_RIGHTS); answer Proceed
};

struct SyncMessage {
  SyncKind kind = SyncKind::Failed;
  int64_t value = 0;
  std::string text;
};

class SyncChannel {
 public:
  SyncChannel() = default;
  explicit SyncChannel(int fd) : fd_(fd) {}
  // A connected pair; both ends close on exec.
  static std::pair<SyncChannel, SyncChannel> make_pair();

  SyncChannel(SyncChannel&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  SyncChannel& operator=(SyncChannel&& other) noexcept;
  SyncChannel(const SyncChannel&) = delete;
  SyncChannel& operator=(const SyncChannel&) = delete;
  ~SyncChannel();

  int fd() const { return fd_; }
  void close_fd();
  bool send(SyncKind kind, int64_t value = 0, const std::string& text = {}) const;
  // nullopt on EOF (the peer exited or exec'd) or error.
  std::optional<SyncMessage> receive() const;

 private:
  int fd_ = -1;
};

}  // namespace vessel::container
