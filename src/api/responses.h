// JSON answers shared by the dispatcher's VM, container and image routes.
#pragma once
#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "api/api_error.h"
#include "http/http_server.h"
#include "manager/manager_error.h"

namespace vessel::api {

inline http::HandlerResult json_response(int status, const nlohmann::json& body) {
  http::HandlerResult r;
  r.response.status = status;
  r.response.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return r;
}

// The answer to a console attach: 101 vessel-console, 101 WebSocket, or a 200 byte stream.
// `relay(client, rest)` then carries the console over a plain byte stream.
http::HandlerResult console_stream(bool upgrade, const std::string& websocket_key,
                             std::function<void(int client, std::string rest)> relay);

inline http::HandlerResult from_outcome(manager::Outcome<nlohmann::json> o, int ok_status = 200) {
  if (!o) return {error_response(from_manager(o.error())), {}};
  return json_response(ok_status, o.value());
}

}  // namespace vessel::api
