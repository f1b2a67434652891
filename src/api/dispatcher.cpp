#include "api/dispatcher.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>

#include "api/access.h"
#include "http/http_client.h"
#include "api/responses.h"
#include "http/socket_io.h"

namespace vessel::api {
namespace {

using nlohmann::json;

// Copies bytes both ways between the API client and the VMM's console socket until either
// side closes. The VMM sends its recent output first, then live output.
void relay(int client, int vmm, const std::string& pending) {
  if (client < 0) return;
  if (!pending.empty() && !http::send_all(vmm, pending.data(), pending.size())) return;
  char buf[16384];
  bool client_open = true;
  for (;;) {
    pollfd fds[2] = {{vmm, POLLIN, 0}, {client, static_cast<short>(client_open ? POLLIN : 0), 0}};
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (fds[0].revents) {
      const ssize_t n = recv(vmm, buf, sizeof buf, 0);
      if (n <= 0 || !http::send_all(client, buf, static_cast<size_t>(n))) return;
    }
    if (fds[1].revents & (POLLERR | POLLNVAL)) return;
    if (!client_open && (fds[1].revents & POLLHUP)) return;  // the client went away: detach
    if (client_open && (fds[1].revents & (POLLIN | POLLHUP))) {
      const ssize_t n = recv(client, buf, sizeof buf, 0);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return;
      if (n == 0) {  // input ended (half-close): keep sending output until the client closes
        client_open = false;
        continue;
      }
      if (!http::send_all(vmm, buf, static_cast<size_t>(n))) return;
    }
  }
}

const char* power_name(Power p) {
  switch (p) {
    case Power::Start: return "start";
    case Power::Stop: return "stop";
    case Power::Shutdown: return "shutdown";
    case Power::Kill: return "kill";
    case Power::Pause: return "pause";
    case Power::Resume: return "resume";
  }
  return "?";
}

}  // namespace

http::HandlerResult Dispatcher::handle(const http::HttpRequest& req) {
  const auto started = std::chrono::steady_clock::now();
  http::HandlerResult result;
  try {
    if (auto refused = authorize(req)) {
      result = {error_response(*refused), {}};
    } else {
      auto parsed = parse_request(req);
      result = std::holds_alternative<ApiError>(parsed) ? http::HandlerResult{error_response(std::get<ApiError>(parsed)), {}}
                                                        : execute(std::get<Action>(parsed));
    }
  } catch (const std::exception& e) {
    // A bug or a VMM answer of an unexpected shape: answer 500, never take the daemon down.
    result = {error_response({500, "internal", std::string("internal error: ") + e.what(), {}}), {}};
  }
  const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  json fields{{"method", req.method}, {"path", req.path}, {"status", result.response.status}, {"ms", ms}};
  if (result.response.status >= 400) {
    auto body = json::parse(result.response.body, nullptr, false);
    if (!body.is_discarded() && body.contains("error")) fields["error"] = body["error"].value("message", "");
  }
  if (req.peer.transport != http::Peer::Transport::Unix) fields["peer"] = req.peer.describe();
  log_.info("request", fields);
  if (changes_state(req)) {
    // The audit trail: who asked for which change, and what came of it.
    json audit{{"who", req.peer.describe()}, {"method", req.method}, {"path", req.path}, {"status", result.response.status}};
    if (req.peer.transport == http::Peer::Transport::Tls) {
      audit["cert"] = req.peer.name;
      audit["role"] = req.peer.role;
      if (!req.peer.project.empty()) audit["project"] = req.peer.project;
      audit["address"] = req.peer.remote_address;
    } else if (req.peer.uid >= 0) {
      audit["uid"] = req.peer.uid;
    }
    log_.info("audit", audit);
    if (audit_) audit_->info("audit", audit);
  }
  return result;
}

http::HandlerResult Dispatcher::execute(const Action& action) {
  return std::visit(
      [&](const auto& a) -> http::HandlerResult {
        using T = std::decay_t<decltype(a)>;
        if constexpr (std::is_same_v<T, ListVms>) {
          return json_response(200, registry_.list());
        } else if constexpr (std::is_same_v<T, CreateVm>) {
          return from_outcome(registry_.create(a.body), 201);
        } else if constexpr (std::is_same_v<T, GetVm>) {
          return from_outcome(registry_.get(a.name));
        } else if constexpr (std::is_same_v<T, DeleteVm>) {
          return from_outcome(registry_.remove(a.name));
        } else if constexpr (std::is_same_v<T, UpdateLimits>) {
          return from_outcome(registry_.update_limits(a.name, a.body));
        } else if constexpr (std::is_same_v<T, SnapshotVm>) {
          return from_outcome(registry_.snapshot(a.name, a.path));
        } else if constexpr (std::is_same_v<T, RestoreVm>) {
          return from_outcome(registry_.create({{"name", a.name}, {"snapshot", a.path}, {"start", true}}), 201);
        } else if constexpr (std::is_same_v<T, MigrateVm>) {
          return from_outcome(registry_.migrate(a.name, a.body));
        } else if constexpr (std::is_same_v<T, MigrationProgress>) {
          return from_outcome(registry_.migration_progress(a.name));
        } else if constexpr (std::is_same_v<T, IncomingVm>) {
          return from_outcome(registry_.incoming(a.name, a.body, a.tcp_host), 201);
        } else if constexpr (std::is_same_v<T, ExecInVm>) {
          return from_outcome(registry_.exec(a.name, a.body));
        } else if constexpr (std::is_same_v<T, WriteGuestFile>) {
          return from_outcome(registry_.write_guest_file(a.name, a.path, a.data, a.append));
        } else if constexpr (std::is_same_v<T, ReadGuestFile>) {
          bool eof = false;
          auto data = registry_.read_guest_file(a.name, a.path, a.offset, a.length, eof);
          if (!data) return {error_response(from_manager(data.error())), {}};
          http::HandlerResult r;
          r.response.content_type = "application/octet-stream";
          r.response.body = std::move(data.value());
          r.response.extra_headers["Vessel-End-Of-File"] = eof ? "true" : "false";
          return r;
        } else if constexpr (std::is_same_v<T, GetMetrics>) {
          http::HandlerResult r;
          r.response.content_type = "text/plain; version=0.0.4";
          r.response.body = registry_.metrics_text() + containers_.metrics_text();
          return r;
        } else if constexpr (std::is_same_v<T, ContainerAction>) {
          return execute_container(a);
        } else if constexpr (std::is_same_v<T, ImageAction>) {
          return execute_image(a);
        } else if constexpr (std::is_same_v<T, NetworkAction>) {
          return execute_network(a);
        } else if constexpr (std::is_same_v<T, AttachConsole>) {
          return attach_console(a);
        } else {
          static_assert(std::is_same_v<T, PowerAction>);
          (void)power_name;
          switch (a.kind) {
            case Power::Start: return from_outcome(registry_.start(a.name));
            case Power::Stop: return from_outcome(registry_.stop(a.name, a.timeout));
            case Power::Shutdown: return from_outcome(registry_.stop(a.name, a.timeout, false));
            case Power::Kill: return from_outcome(registry_.kill(a.name));
            case Power::Pause: return from_outcome(registry_.pause(a.name));
            case Power::Resume: return from_outcome(registry_.resume(a.name));
          }
          return json_response(500, {{"error", {{"code", "internal"}, {"message", "unknown action"}}}});
        }
      },
      action);
}

http::HandlerResult Dispatcher::execute_network(const NetworkAction& action) {
  return std::visit(
      [&](const auto& a) -> http::HandlerResult {
        using T = std::decay_t<decltype(a)>;
        if constexpr (std::is_same_v<T, ListNetworks>) {
          return json_response(200, networks_.list());
        } else if constexpr (std::is_same_v<T, CreateNetwork>) {
          return from_outcome(networks_.create(a.body), 201);
        } else if constexpr (std::is_same_v<T, GetNetwork>) {
          return from_outcome(networks_.get(a.name));
        } else {
          static_assert(std::is_same_v<T, DeleteNetwork>);
          return from_outcome(networks_.remove(a.name, registry_.vms_on_network(a.name)));
        }
      },
      action);
}

http::HandlerResult Dispatcher::attach_console(const AttachConsole& a) {
  auto path = registry_.console_socket(a.name);
  if (!path) return {error_response(from_manager(path.error())), {}};
  const int vmm = http::connect_unix(path.value());
  if (vmm < 0)
    return {error_response({500, "vmm_unreachable", "cannot connect to the VM's console: " + std::string(strerror(errno)), {}}),
            {}};
  return console_stream(a.upgrade, a.websocket_key, [vmm](int client, std::string rest) {
    relay(client, vmm, rest);
    close(vmm);
  });
}

}  // namespace vessel::api
