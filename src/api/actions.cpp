#include "api/actions.h"

#include "api/request_body.h"

#include <cmath>
#include <vector>

namespace vessel::api {
namespace {

using nlohmann::json;

std::vector<std::string> split_path(const std::string& path) {
  std::vector<std::string> parts;
  size_t i = 1;
  while (i <= path.size()) {
    const size_t j = path.find('/', i);
    const std::string part = path.substr(i, j == std::string::npos ? std::string::npos : j - i);
    if (!part.empty()) parts.push_back(part);
    if (j == std::string::npos) break;
    i = j + 1;
  }
  return parts;
}

// A guest file through the agent: GET reads a piece, PUT writes the body.
std::variant<Action, ApiError> guest_file_action(const http::HttpRequest& req, const std::string& name) {
  if (req.method != "GET" && req.method != "PUT") return method_not_allowed("GET, PUT");
  auto path = query_parameter(req.query, "path");
  if (!path || path->empty())
    return ApiError{400, "missing_field", "give the guest file as the query parameter 'path' (percent-encoded)", {}};
  auto number = [&](const char* key, uint64_t fallback, uint64_t& out) -> std::optional<ApiError> {
    auto v = query_parameter(req.query, key);
    out = fallback;
    if (!v) return std::nullopt;
    if (v->empty() || v->size() > 19 || v->find_first_not_of("0123456789") != std::string::npos)
      return ApiError{400, "invalid_argument", std::string("query parameter '") + key + "' must be a non-negative integer", {}};
    out = std::stoull(*v);
    return std::nullopt;
  };
  if (req.method == "PUT") {
    auto append = query_parameter(req.query, "append");
    if (append && *append != "true" && *append != "false")
      return ApiError{400, "invalid_argument", "query parameter 'append' must be true or false", {}};
    return WriteGuestFile{name, *path, req.body, append && *append == "true"};
  }
  ReadGuestFile r{name, *path};
  // A response stays within what a request may carry, so a copy is a series of pieces.
  constexpr uint64_t kMaxPiece = http::RequestParser::kMaxBodyBytes;
  if (auto e = number("offset", 0, r.offset)) return *e;
  if (auto e = number("length", kMaxPiece, r.length)) return *e;
  if (r.length == 0 || r.length > kMaxPiece)
    return ApiError{400, "invalid_argument", "query parameter 'length' must be between 1 and " + std::to_string(kMaxPiece), {}};
  return r;
}

std::variant<Action, ApiError> vm_action(const http::HttpRequest& req, const std::string& name, const std::string& what) {
  static const std::pair<const char*, Power> kPower[] = {{"start", Power::Start},
                                                         {"stop", Power::Stop},
                                                         {"shutdown", Power::Shutdown},
                                                         {"kill", Power::Kill},
                                                         {"pause", Power::Pause},
                                                         {"resume", Power::Resume}};
  if (what == "limits") {
    if (req.method != "PATCH" && req.method != "PUT") return method_not_allowed("PATCH, PUT");
    json j = json::parse(req.body, nullptr, false);
    if (j.is_discarded()) return ApiError{400, "invalid_json", "the request body is not valid JSON", {}};
    return UpdateLimits{name, j};
  }
  if (what == "migrate") {
    if (req.method != "POST") return method_not_allowed("POST");
    auto body = action_body(req, {"to", "name", "downtime_ms", "bandwidth", "compress", "migrate_disks"});
    if (auto* e = std::get_if<ApiError>(&body)) return *e;
    const json& j = std::get<json>(body);
    if (!j.contains("to")) return ApiError{400, "missing_field", "missing required field 'to'", {}};
    if (!j["to"].is_string()) return ApiError{400, "wrong_type", "field 'to' must be a string", {}};
    return MigrateVm{name, j};
  }
  if (what == "migration") {
    if (req.method != "GET") return method_not_allowed("GET");
    return MigrationProgress{name};
  }
  if (what == "incoming") {
    if (req.method != "POST") return method_not_allowed("POST");
    auto body = action_body(req, {"definition", "migrate_disks"});
    if (auto* e = std::get_if<ApiError>(&body)) return *e;
    return IncomingVm{name, std::get<json>(body),
                      req.peer.transport == http::Peer::Transport::Tls ? req.peer.local_address : std::string()};
  }
  if (what == "exec") {
    if (req.method != "POST") return method_not_allowed("POST");
    json j = json::parse(req.body, nullptr, false);
    if (j.is_discarded()) return ApiError{400, "invalid_json", "the request body is not valid JSON", {}};
    return ExecInVm{name, j};
  }
  if (what == "files") return guest_file_action(req, name);
  if (what == "console") {
    if (req.method != "GET") return method_not_allowed("GET");
    return AttachConsole{name, is_upgrade_request(req, "vessel-console"), websocket_key(req)};
  }
  if (what == "snapshot" || what == "restore") {
    if (req.method != "POST") return method_not_allowed("POST");
    auto body = action_body(req, {"path"});
    if (auto* e = std::get_if<ApiError>(&body)) return *e;
    const json& j = std::get<json>(body);
    if (!j.contains("path")) return ApiError{400, "missing_field", "missing required field 'path'", {}};
    if (!j["path"].is_string()) return ApiError{400, "wrong_type", "field 'path' must be a string", {}};
    if (what == "restore") return RestoreVm{name, j["path"].get<std::string>()};
    return SnapshotVm{name, j["path"].get<std::string>()};
  }
  for (const auto& [word, kind] : kPower) {
    if (what != word) continue;
    if (req.method != "POST") return method_not_allowed("POST");
    auto body = action_body(req, kind == Power::Stop || kind == Power::Shutdown ? std::initializer_list<const char*>{"timeout_seconds"}
                                                     : std::initializer_list<const char*>{});
    if (auto* e = std::get_if<ApiError>(&body)) return *e;
    PowerAction a{name, kind, std::chrono::milliseconds(10000)};
    if (auto e = timeout_field(std::get<json>(body), a.timeout)) return *e;
    return a;
  }
  return ApiError{404, "not_found", "no such action '" + what + "'", {}};
}

}  // namespace

std::variant<Action, ApiError> parse_request(const http::HttpRequest& req) {
  const auto parts = split_path(req.path);
  if (parts.size() == 1 && parts[0] == "metrics") {
    if (req.method != "GET") return method_not_allowed("GET");
    return GetMetrics{};
  }
  if (parts.size() >= 2 && parts[0] == "v1" && parts[1] == "containers") {
    auto r = parse_container_request(req, parts);
    if (auto* e = std::get_if<ApiError>(&r)) return *e;
    return std::get<ContainerAction>(r);
  }
  if (parts.size() >= 2 && parts[0] == "v1" && parts[1] == "images") {
    auto r = parse_image_request(req, parts);
    if (auto* e = std::get_if<ApiError>(&r)) return *e;
    return std::get<ImageAction>(r);
  }
  if (parts.size() >= 2 && parts[0] == "v1" && parts[1] == "networks") {
    auto r = parse_network_request(req, parts);
    if (auto* e = std::get_if<ApiError>(&r)) return *e;
    return std::get<NetworkAction>(r);
  }
  if (parts.size() < 2 || parts[0] != "v1" || parts[1] != "vms")
    return ApiError{404, "not_found", "no such endpoint: " + req.path, {}};
  if (parts.size() == 2) {
    if (req.method == "GET") return ListVms{};
    if (req.method != "POST") return method_not_allowed("GET, POST");
    json j = json::parse(req.body, nullptr, false);
    if (j.is_discarded()) return ApiError{400, "invalid_json", "the request body is not valid JSON", {}};
    return CreateVm{j};
  }
  const std::string& name = parts[2];
  if (parts.size() == 3) {
    if (req.method == "GET") return GetVm{name};
    if (req.method == "DELETE") return DeleteVm{name};
    return method_not_allowed("GET, DELETE");
  }
  if (parts.size() == 4) return vm_action(req, name, parts[3]);
  return ApiError{404, "not_found", "no such endpoint: " + req.path, {}};
}

}  // namespace vessel::api
