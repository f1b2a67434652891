// Routes of the named networks (/v1/networks): VDE switches with an optional NAT uplink that
// VMs attach to by name (manager/network_registry.h).
#pragma once
#include <string>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/api_error.h"
#include "http/http_message.h"

namespace vessel::api {

struct ListNetworks {};
struct CreateNetwork { nlohmann::json body; };
struct GetNetwork { std::string name; };
struct DeleteNetwork { std::string name; };
using NetworkAction = std::variant<ListNetworks, CreateNetwork, GetNetwork, DeleteNetwork>;

// `parts`: the path split at "/", starting with "v1", "networks".
std::variant<NetworkAction, ApiError> parse_network_request(const http::HttpRequest& req, const std::vector<std::string>& parts);

}  // namespace vessel::api
