// Routes of the containers and images API (/v1/containers, /v1/images): parsed into typed
// actions, as the VM routes are (actions.h), and executed by the dispatcher.
#pragma once
#include <chrono>
#include <string>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/api_error.h"
#include "http/http_message.h"

namespace vessel::api {

struct ListContainers {};
struct CreateContainer { nlohmann::json body; };
struct GetContainer { std::string name; };
struct DeleteContainer { std::string name; };
enum class ContainerPower { Start, Stop, Kill, Pause, Resume };
struct ContainerPowerAction {
  std::string name;
  ContainerPower kind;
  std::chrono::milliseconds timeout{10000};  // stop: SIGTERM, then SIGKILL after this
  int signal = 9;                            // kill
};
struct ExecContainer { std::string name; nlohmann::json body; };
struct ContainerLogs { std::string name; size_t tail_bytes = 1 << 20; };
struct UpdateContainerLimits { std::string name; nlohmann::json body; };
struct AttachContainerConsole { std::string name; bool upgrade = false; std::string websocket_key; };
using ContainerAction = std::variant<ListContainers, CreateContainer, GetContainer, DeleteContainer, ContainerPowerAction,
                                     ExecContainer, ContainerLogs, UpdateContainerLimits, AttachContainerConsole>;

struct ListImages {};
struct ImportImage { std::string path, name; };
struct GetImage { std::string name; };
struct DeleteImage { std::string name; };
using ImageAction = std::variant<ListImages, ImportImage, GetImage, DeleteImage>;

// `parts`: the path split at "/", starting with "v1".
std::variant<ContainerAction, ApiError> parse_container_request(const http::HttpRequest& req, const std::vector<std::string>& parts);
std::variant<ImageAction, ApiError> parse_image_request(const http::HttpRequest& req, const std::vector<std::string>& parts);

}  // namespace vessel::api
