#include "container/seccomp_notify.h"

#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>

#include "common/scoped_fd.h"
#include "container/console.h"
#include "container/error.h"

namespace vessel::container {

void install_notify_filter(const SeccompProgram& program, bool no_new_privileges, const SyncChannel& channel) {
  if (no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) throw_errno("set no_new_privs");
  const ScopedFd listener(install_seccomp_program(program));
  if (!channel.send(SyncKind::SeccompListener)) throw Error(ErrorKind::System, "runtime went away during setup");
  send_fd(channel.fd(), listener.get(), "seccomp listener");
  auto m = channel.receive();
  if (!m || m->kind != SyncKind::Proceed) throw Error(ErrorKind::System, "seccomp listener was not delivered");
}

void deliver_seccomp_listener(const SyncChannel& channel, const SeccompSpec& spec, pid_t pid, const nlohmann::json& state) {
  const ScopedFd listener(receive_fd(channel.fd()));
  if (listener.get() < 0) throw Error(ErrorKind::System, "seccomp: no listener descriptor from the container");
  const ScopedFd agent(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (spec.listener_path.size() >= sizeof addr.sun_path) throw_bad_input("seccomp: listenerPath is too long");
  std::memcpy(addr.sun_path, spec.listener_path.c_str(), spec.listener_path.size() + 1);
  if (agent.get() < 0 || connect(agent.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
    throw_errno("seccomp: connect to listenerPath " + spec.listener_path);
  const nlohmann::json process_state = {{"ociVersion", "1.0.2"},
                                        {"fds", {"seccompFd"}},
                                        {"pid", pid},
                                        {"metadata", spec.listener_metadata},
                                        {"state", state}};
  send_with_fd(agent.get(), listener.get(), process_state.dump(), "seccomp listener to " + spec.listener_path);
}

}  // namespace vessel::container
