// The registry's guest agent actions: exec, files, and stop's graceful path. Each opens its
// own connection to qemu-ga through the VM's vsock socket (the agent serves one client at a
// time, so concurrent requests queue in the guest), outside the VM's action lock: a long
// command must not hold up stop or another request.
#include <cmath>

#include "agent/guest_agent.h"
#include "manager/json_fields.h"
#include "manager/registry.h"

namespace vessel::manager {

using nlohmann::json;
using namespace std::chrono_literals;

namespace {

ManagerError from_agent(const agent::AgentError& e) {
  switch (e.kind) {
    case agent::AgentError::Kind::Unreachable: return conflict(e.message, "guest_agent_unavailable");
    case agent::AgentError::Kind::Timeout: return {ErrorKind::VmmFailure, "guest_agent_timeout", e.message};
    case agent::AgentError::Kind::Failed: return invalid(e.message, "guest_agent_error");
    case agent::AgentError::Kind::Protocol: break;
  }
  return {ErrorKind::VmmFailure, "guest_agent_protocol", e.message};
}

// How long connecting and synchronising may take: the guest answers within milliseconds
// when it has an agent, or refuses the port at once when it has none.
constexpr auto kAgentConnect = 5s;

}  // namespace

Outcome<agent::QgaClient> Registry::agent_for(const std::string& name, agent::Clock::time_point deadline) {
  auto e = find(name);
  if (!e) return not_found(name);
  uint32_t port = agent::kDefaultAgentPort;
  bool has_vsock = false, from_snapshot = false;
  {
    std::lock_guard d(e->data);
    check_exit_locked(*e);
    if (!e->run) return conflict("VM '" + name + "' is not running");
    has_vsock = e->def.vsock.has_value();
    if (has_vsock) port = static_cast<uint32_t>(e->def.vsock->agent_port);
    from_snapshot = !e->def.snapshot.empty();
  }
  // A VM made from a snapshot runs the snapshot's devices: ask its VMM whether it has vsock.
  if (!has_vsock && from_snapshot) {
    auto st = control(*e, {{"op", "status"}}, 5s);
    has_vsock = st && st->contains("vsock");
  }
  if (!has_vsock)
    return conflict("VM '" + name + "' has no vsock device, so no guest agent channel (define it with \"vsock\": {\"cid\": N})",
                    "no_guest_agent");
  auto c = agent::QgaClient::connect_vsock(state_.vsock_socket(name), port, std::min(deadline, agent::Clock::now() + kAgentConnect));
  if (!c) return from_agent(c.error());
  return std::move(c.value());
}

bool Registry::shutdown_by_agent(Entry& e) {
  std::string name;
  {
    std::lock_guard d(e.data);
    if (!e.def.vsock && e.def.snapshot.empty()) return false;
    name = e.def.name;
  }
  auto c = agent_for(name, agent::Clock::now() + kAgentConnect);
  if (!c) return false;
  return static_cast<bool>(agent::shutdown(c.value(), agent::Clock::now() + 2s));
}

Outcome<json> Registry::exec(const std::string& name, const json& body) {
  Fields f(body, "request body");
  TRY(f.check_object());
  TRY(f.unknown({"command", "env", "input", "timeout_seconds"}));
  agent::ExecRequest req;
  double timeout = 60;
  TRY(f.strings("command", req.argv));
  if (req.argv.empty()) return f.missing("command");
  TRY(f.strings("env", req.env));
  TRY(f.string("input", req.input));
  TRY(f.number("timeout_seconds", timeout));
  if (!std::isfinite(timeout) || timeout <= 0 || timeout > 3600)
    return invalid("field 'timeout_seconds' must be between 0 and 3600", "invalid_argument");
  req.timeout = std::chrono::milliseconds(static_cast<long long>(timeout * 1000));
  auto c = agent_for(name, agent::Clock::now() + req.timeout);
  if (!c) return c.error();
  auto r = agent::exec(c.value(), req);
  if (!r) {
    if (r.error().kind == agent::AgentError::Kind::Timeout)
      return ManagerError{ErrorKind::VmmFailure, "exec_timeout", r.error().message};
    return from_agent(r.error());
  }
  json j{{"exit_code", r->exit_code}, {"stdout", r->out}, {"stderr", r->err}};
  if (r->signal) j["signal"] = r->signal;
  if (r->truncated) j["truncated"] = true;
  return j;
}

Outcome<std::string> Registry::read_guest_file(const std::string& name, const std::string& path, uint64_t offset,
                                                uint64_t length, bool& eof) {
  if (path.empty() || path[0] != '/') return invalid("the guest path must be absolute", "invalid_argument");
  const auto deadline = agent::Clock::now() + 60s;
  auto c = agent_for(name, deadline);
  if (!c) return c.error();
  auto r = agent::read_file(c.value(), path, offset, static_cast<size_t>(length), deadline);
  if (!r) return from_agent(r.error());
  eof = r->eof;
  return std::move(r->data);
}

Outcome<json> Registry::write_guest_file(const std::string& name, const std::string& path, const std::string& data,
                                         bool append) {
  if (path.empty() || path[0] != '/') return invalid("the guest path must be absolute", "invalid_argument");
  const auto deadline = agent::Clock::now() + 60s;
  auto c = agent_for(name, deadline);
  if (!c) return c.error();
  auto r = agent::write_file(c.value(), path, data, append, deadline);
  if (!r) return from_agent(r.error());
  return json{{"path", path}, {"bytes", r.value()}};
}

}  // namespace vessel::manager
