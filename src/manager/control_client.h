// One request to a VMM's control socket (JSON lines): connect, send, read one answer line.
#pragma once
#include <chrono>
#include <string>

#include <nlohmann/json.hpp>

#include "common/result.h"

namespace vessel::manager {

Result<nlohmann::json> control_request(const std::string& socket_path, const nlohmann::json& request,
                                       std::chrono::milliseconds timeout = std::chrono::seconds(5));

}  // namespace vessel::manager
