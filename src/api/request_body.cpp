#include "api/request_body.h"

#include <cctype>
#include <cmath>

namespace vessel::api {

using nlohmann::json;

ApiError method_not_allowed(const std::string& allow) {
  return {405, "method_not_allowed", "method not allowed here; allowed: " + allow, allow};
}

bool is_upgrade_request(const http::HttpRequest& req, const char* protocol) {
  std::string upgrade = req.header("upgrade"), connection = req.header("connection");
  for (auto* s : {&upgrade, &connection})
    for (auto& c : *s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return upgrade == protocol && connection.find("upgrade") != std::string::npos;
}

std::string websocket_key(const http::HttpRequest& req) {
  return is_upgrade_request(req, "websocket") ? req.header("sec-websocket-key") : std::string();
}

std::variant<json, ApiError> object_body(const http::HttpRequest& req) {
  if (req.body.find_first_not_of(" \t\r\n") == std::string::npos) return json::object();
  json j = json::parse(req.body, nullptr, false);
  if (j.is_discarded()) return ApiError{400, "invalid_json", "the request body is not valid JSON", {}};
  if (!j.is_object()) return ApiError{400, "wrong_type", "the request body must be a JSON object", {}};
  return j;
}

std::variant<json, ApiError> action_body(const http::HttpRequest& req, std::initializer_list<const char*> allowed) {
  auto body = object_body(req);
  if (std::holds_alternative<ApiError>(body)) return body;
  const json& j = std::get<json>(body);
  for (auto it = j.begin(); it != j.end(); ++it) {
    bool ok = false;
    for (const char* a : allowed) ok = ok || it.key() == a;
    if (!ok) return ApiError{400, "unknown_field", "unknown field '" + it.key() + "'", {}};
  }
  return body;
}

std::optional<ApiError> timeout_field(const json& j, std::chrono::milliseconds& timeout) {
  if (!j.contains("timeout_seconds")) return std::nullopt;
  if (!j["timeout_seconds"].is_number()) return ApiError{400, "wrong_type", "field 'timeout_seconds' must be a number", {}};
  const double t = j["timeout_seconds"].get<double>();
  if (!std::isfinite(t) || t < 0 || t > 3600)
    return ApiError{400, "invalid_argument", "field 'timeout_seconds' must be between 0 and 3600", {}};
  timeout = std::chrono::milliseconds(static_cast<long long>(t * 1000));
  return std::nullopt;
}

std::optional<std::string> query_parameter(const std::string& query, const std::string& key) {
  size_t at = 0;
  while (at <= query.size()) {
    const size_t end = std::min(query.find('&', at), query.size());
    const std::string pair = query.substr(at, end - at);
    const size_t eq = pair.find('=');
    if (pair.substr(0, eq) == key) {
      const std::string raw = eq == std::string::npos ? "" : pair.substr(eq + 1);
      std::string out;
      for (size_t i = 0; i < raw.size(); ++i) {
        if (raw[i] == '+') {
          out += ' ';
        } else if (raw[i] == '%') {
          if (i + 2 >= raw.size() || !isxdigit(static_cast<unsigned char>(raw[i + 1])) ||
              !isxdigit(static_cast<unsigned char>(raw[i + 2])))
            return std::nullopt;
          out += static_cast<char>(std::stoi(raw.substr(i + 1, 2), nullptr, 16));
          i += 2;
        } else {
          out += raw[i];
        }
      }
      return out;
    }
    at = end + 1;
  }
  return std::nullopt;
}

}  // namespace vessel::api
