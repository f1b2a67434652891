#include "api/container_actions.h"

#include <cctype>
#include <cmath>

namespace vessel::api {

namespace {

using nlohmann::json;

std::variant<json, ApiError> json_body(const HttpRequest& req) {
  if (req.body.find_first_not_of(" \t\r\n") == std::string::npos) return json::object();
  json j = json::parse(req.body, nullptr, false);
  if (j.is_discarded()) return ApiError{400, "invalid_json", "the request body is not valid JSON", {}};
  if (!j.is_object()) return ApiError{400, "wrong_type", "the request body must be a JSON object", {}};
  return j;
}

std::variant<ContainerAction, ApiError> container_action(const HttpRequest& req, const std::string& name,
                                                         const std::string& what) {
  static const std::pair<const char*, ContainerPower> kPower[] = {{"start", ContainerPower::Start},
                                                                  {"stop", ContainerPower::Stop},
                                                                  {"kill", ContainerPower::Kill},
                                                                  {"pause", ContainerPower::Pause},
                                                                  {"resume", ContainerPower::Resume}};
  if (what == "logs") {
    if (req.method != "GET") return method_not_allowed("GET");
    ContainerLogs a{name};
    const size_t at = req.query.find("tail_bytes=");
    if (at != std::string::npos) {
      const std::string v = req.query.substr(at + 11, req.query.find('&', at) - at - 11);
      if (v.empty() || v.find_first_not_of("0123456789") != std::string::npos || v.size() > 12)
        return ApiError{400, "invalid_argument", "tail_bytes must be a number of bytes", {}};
      a.tail_bytes = std::stoull(v);
    }
    return a;
  }
  if (what == "console") {
    if (req.method != "GET") return method_not_allowed("GET");
    return AttachContainerConsole{name, is_upgrade_request(req, "vessel-console"), websocket_key(req)};
  }
  if (what == "exec" || what == "limits") {
    const bool exec = what == "exec";
    if (exec ? req.method != "POST" : req.method != "PATCH" && req.method != "PUT")
      return method_not_allowed(exec ? "POST" : "PATCH, PUT");
    auto body = json_body(req);
    if (auto* e = std::get_if<ApiError>(&body)) return *e;
    if (exec) return ExecContainer{name, std::get<json>(body)};
    return UpdateContainerLimits{name, std::get<json>(body)};
  }
  for (const auto& [word, kind] : kPower) {
    if (what != word) continue;
    if (req.method != "POST") return method_not_allowed("POST");
    auto body = json_body(req);
    if (auto* e = std::get_if<ApiError>(&body)) return *e;
    const json& j = std::get<json>(body);
    ContainerPowerAction a{name, kind};
    for (auto it = j.begin(); it != j.end(); ++it) {
      const bool allowed = (kind == ContainerPower::Stop && it.key() == "timeout_seconds") ||
                           (kind == ContainerPower::Kill && it.key() == "signal");
      if (!allowed) return ApiError{400, "unknown_field", "unknown field '" + it.key() + "'", {}};
    }
    if (j.contains("timeout_seconds")) {
      if (!j["timeout_seconds"].is_number()) return ApiError{400, "wrong_type", "field 'timeout_seconds' must be a number", {}};
      const double t = j["timeout_seconds"].get<double>();
      if (!std::isfinite(t) || t < 0 || t > 3600)
        return ApiError{400, "invalid_argument", "field 'timeout_seconds' must be between 0 and 3600", {}};
      a.timeout = std::chrono::milliseconds(static_cast<long long>(t * 1000));
    }
    if (j.contains("signal")) {
      if (!j["signal"].is_number_integer() || j["signal"].get<int64_t>() < 1 || j["signal"].get<int64_t>() > 64)
        return ApiError{400, "invalid_argument", "field 'signal' must be a signal number (1 to 64)", {}};
      a.signal = j["signal"].get<int>();
    }
    return a;
  }
  return ApiError{404, "not_found", "no such action '" + what + "'", {}};
}

}  // namespace

ApiError method_not_allowed(const std::string& allow) {
  return {405, "method_not_allowed", "method not allowed here; allowed: " + allow, allow};
}

bool is_upgrade_request(const HttpRequest& req, const char* protocol) {
  std::string upgrade = req.header("upgrade"), connection = req.header("connection");
  for (auto* s : {&upgrade, &connection})
    for (auto& c : *s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return upgrade == protocol && connection.find("upgrade") != std::string::npos;
}

std::string websocket_key(const HttpRequest& req) {
  return is_upgrade_request(req, "websocket") ? req.header("sec-websocket-key") : std::string();
}

std::variant<ContainerAction, ApiError> parse_container_request(const HttpRequest& req, const std::vector<std::string>& parts) {
  if (parts.size() == 2) {
    if (req.method == "GET") return ListContainers{};
    if (req.method != "POST") return method_not_allowed("GET, POST");
    json j = json::parse(req.body, nullptr, false);
    if (j.is_discarded()) return ApiError{400, "invalid_json", "the request body is not valid JSON", {}};
    return CreateContainer{j};
  }
  const std::string& name = parts[2];
  if (parts.size() == 3) {
    if (req.method == "GET") return GetContainer{name};
    if (req.method == "DELETE") return DeleteContainer{name};
    return method_not_allowed("GET, DELETE");
  }
  if (parts.size() == 4) return container_action(req, name, parts[3]);
  return ApiError{404, "not_found", "no such endpoint: " + req.path, {}};
}

std::variant<ImageAction, ApiError> parse_image_request(const HttpRequest& req, const std::vector<std::string>& parts) {
  if (parts.size() == 2) {
    if (req.method == "GET") return ListImages{};
    if (req.method != "POST") return method_not_allowed("GET, POST");
    auto body = json_body(req);
    if (auto* e = std::get_if<ApiError>(&body)) return *e;
    const json& j = std::get<json>(body);
    for (auto it = j.begin(); it != j.end(); ++it)
      if (it.key() != "path" && it.key() != "name") return ApiError{400, "unknown_field", "unknown field '" + it.key() + "'", {}};
    if (!j.contains("path")) return ApiError{400, "missing_field", "missing required field 'path'", {}};
    if (!j["path"].is_string()) return ApiError{400, "wrong_type", "field 'path' must be a string", {}};
    if (j.contains("name") && !j["name"].is_string()) return ApiError{400, "wrong_type", "field 'name' must be a string", {}};
    return ImportImage{j["path"].get<std::string>(), j.value("name", "")};
  }
  // Image names hold slashes (localhost/busybox:1): the rest of the path is the name.
  std::string name;
  for (size_t i = 2; i < parts.size(); ++i) name += (i > 2 ? "/" : "") + parts[i];
  if (req.method == "GET") return GetImage{name};
  if (req.method == "DELETE") return DeleteImage{name};
  return method_not_allowed("GET, DELETE");
}

}  // namespace vessel::api
