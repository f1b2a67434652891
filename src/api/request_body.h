// What the VM, container and image routes check alike before a request becomes an action:
// methods, upgrades, JSON object bodies with known fields, a stop's timeout.
#pragma once
#include <chrono>
#include <initializer_list>
#include <optional>
#include <string>
#include <variant>

#include <nlohmann/json.hpp>

#include "api/api_error.h"
#include "http/http_message.h"

namespace vessel::api {

ApiError method_not_allowed(const std::string& allow);
bool is_upgrade_request(const http::HttpRequest& req, const char* protocol);
// The Sec-WebSocket-Key of a WebSocket upgrade request, else "".
std::string websocket_key(const http::HttpRequest& req);

// Body of an action: empty (an empty object), or a JSON object; its fields are the caller's.
std::variant<nlohmann::json, ApiError> object_body(const http::HttpRequest& req);
// The same with only the `allowed` fields.
std::variant<nlohmann::json, ApiError> action_body(const http::HttpRequest& req, std::initializer_list<const char*> allowed);
// The value of `key` in a query string (percent-decoding and '+' undone); nullopt when absent
// or badly encoded.
std::optional<std::string> query_parameter(const std::string& query, const std::string& key);

// "timeout_seconds" (0 to 3600) of a stop, if the body has one, into `timeout`.
std::optional<ApiError> timeout_field(const nlohmann::json& body, std::chrono::milliseconds& timeout);

}  // namespace vessel::api
