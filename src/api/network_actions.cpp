#include "api/network_actions.h"

#include "api/request_body.h"

namespace vessel::api {

std::variant<NetworkAction, ApiError> parse_network_request(const http::HttpRequest& req, const std::vector<std::string>& parts) {
  if (parts.size() == 2) {
    if (req.method == "GET") return ListNetworks{};
    if (req.method != "POST") return method_not_allowed("GET, POST");
    nlohmann::json j = nlohmann::json::parse(req.body, nullptr, false);
    if (j.is_discarded()) return ApiError{400, "invalid_json", "the request body is not valid JSON", {}};
    return CreateNetwork{j};
  }
  if (parts.size() == 3) {
    if (req.method == "GET") return GetNetwork{parts[2]};
    if (req.method == "DELETE") return DeleteNetwork{parts[2]};
    return method_not_allowed("GET, DELETE");
  }
  return ApiError{404, "not_found", "no such endpoint: " + req.path, {}};
}

}  // namespace vessel::api
