#include "api/container_actions.h"

#include "api/request_body.h"

namespace vessel::api {

namespace {

using nlohmann::json;

std::variant<ContainerAction, ApiError> container_action(const http::HttpRequest& req, const std::string& name,
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
    auto body = object_body(req);
    if (auto* e = std::get_if<ApiError>(&body)) return *e;
    if (exec) return ExecContainer{name, std::get<json>(body)};
    return UpdateContainerLimits{name, std::get<json>(body)};
  }
  for (const auto& [word, kind] : kPower) {
    if (what != word) continue;
    if (req.method != "POST") return method_not_allowed("POST");
    auto body = kind == ContainerPower::Stop   ? action_body(req, {"timeout_seconds"})
                : kind == ContainerPower::Kill ? action_body(req, {"signal"})
                                               : action_body(req, {});
    if (auto* e = std::get_if<ApiError>(&body)) return *e;
    const json& j = std::get<json>(body);
    ContainerPowerAction a{name, kind};
    if (auto e = timeout_field(j, a.timeout)) return *e;
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

std::variant<ContainerAction, ApiError> parse_container_request(const http::HttpRequest& req, const std::vector<std::string>& parts) {
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

std::variant<ImageAction, ApiError> parse_image_request(const http::HttpRequest& req, const std::vector<std::string>& parts) {
  if (parts.size() == 2) {
    if (req.method == "GET") return ListImages{};
    if (req.method != "POST") return method_not_allowed("GET, POST");
    auto body = action_body(req, {"path", "name"});
    if (auto* e = std::get_if<ApiError>(&body)) return *e;
    const json& j = std::get<json>(body);
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
