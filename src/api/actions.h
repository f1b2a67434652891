// Parse, then dispatch (ARCHITECTURE example 6): every route yields a typed action; the
// dispatcher executes it against the manager. Parsing here checks only the HTTP shape
// (route, method, JSON syntax); field rules live with the manager's types.
#pragma once
#include <chrono>
#include <string>
#include <variant>

#include <nlohmann/json.hpp>

#include "api/api_error.h"
#include "api/container_actions.h"
#include "api/network_actions.h"
#include "http/http_message.h"

namespace vessel::api {

struct ListVms {};
struct CreateVm { nlohmann::json body; };
struct GetVm { std::string name; };
struct DeleteVm { std::string name; };
struct UpdateLimits { std::string name; nlohmann::json body; };
// Shutdown: the guest's orderly power-off only (never forced); Stop forces after its timeout.
enum class Power { Start, Stop, Shutdown, Kill, Pause, Resume };
struct PowerAction { std::string name; Power kind; std::chrono::milliseconds timeout{10000}; };
struct SnapshotVm { std::string name; std::string path; };
// POST /v1/vms/{name}/restore {"path"}: create VM {name} from a snapshot and start it
// (the same as POST /v1/vms with "snapshot" and "start": true).
struct RestoreVm { std::string name; std::string path; };
// upgrade: the raw vessel-console protocol; websocket_key: a WebSocket (the dashboard).
struct AttachConsole { std::string name; bool upgrade = false; std::string websocket_key; };
struct GetMetrics {};
// POST /v1/vms/{name}/migrate {"to", "downtime_ms"?, "bandwidth"?, "compress"?, "migrate_disks"?}
struct MigrateVm { std::string name; nlohmann::json body; };
// POST /v1/vms/{name}/incoming {"definition"}: another daemon moves VM {name} here.
// tcp_host: the address the request came in on when it came over TLS (the receiving VMM
// listens there on TCP); empty for the Unix socket (it listens on a Unix socket).
// GET /v1/vms/{name}/migration: the progress of the VM's outgoing migration.
struct MigrationProgress { std::string name; };
struct IncomingVm { std::string name; nlohmann::json body; std::string tcp_host; };
// Through the guest agent: POST /v1/vms/{name}/exec {"command", "env"?, "input"?,
// "timeout_seconds"?}; GET /v1/vms/{name}/files?path=P[&offset=N][&length=N] (the bytes);
// PUT /v1/vms/{name}/files?path=P[&append=true] (the body is the bytes).
struct ExecInVm { std::string name; nlohmann::json body; };
struct ReadGuestFile { std::string name, path; uint64_t offset = 0, length = 0; };
struct WriteGuestFile { std::string name, path; std::string data; bool append = false; };

using Action = std::variant<ListVms, CreateVm, GetVm, DeleteVm, UpdateLimits, PowerAction, SnapshotVm, RestoreVm, AttachConsole,
                            GetMetrics, MigrateVm, MigrationProgress, IncomingVm, ExecInVm, ReadGuestFile, WriteGuestFile, ContainerAction, ImageAction, NetworkAction>;

// A route, or the API error that explains why the request is not one.
std::variant<Action, ApiError> parse_request(const http::HttpRequest& req);

}  // namespace vessel::api
