// Test support for the manager: a vesseld in a temporary state directory on a temporary
// socket, API calls whose responses are checked against docs/api/openapi.yaml, console
// streams, and cleanup that kills (by pid, checked against its start time) every VMM seen.
#pragma once
#include <sys/types.h>

#include <chrono>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "http/http_client.h"
#include "manager/openapi_validator.h"
#include "manager/process_info.h"

namespace vessel::test {

struct ApiResponse {
  int status = 0;
  nlohmann::json json;
  std::string body;
};

std::string vesseld_bin();
// The vessel CLI: $VESSEL_BIN, else beside vesseld (both are built into the build tree's top).
std::string vessel_cli_bin();
const OpenApi& openapi();

class Daemon {
 public:
  Daemon();  // creates the temporary directory; start() runs the daemon
  ~Daemon();  // kills the daemon and every VMM it reported, deletes the containers, removes the directory
  void start(const std::vector<std::string>& extra_args = {});
  void kill9();  // SIGKILL the daemon only (VMs keep running)
  pid_t pid() const { return pid_; }
  const std::string& socket() const { return socket_; }
  const std::string& dir() const { return dir_; }
  std::string state_dir() const { return dir_ + "/state"; }

  // One request; the response is validated against the OpenAPI document (ADD_FAILURE).
  ApiResponse api(const std::string& method, const std::string& path, const std::string& body = {});
  ApiResponse api(const std::string& method, const std::string& path, const nlohmann::json& body) {
    return api(method, path, body.dump());
  }
  // Creates a VM running the test guest's shell (128M, console=ttyS0 quiet).
  nlohmann::json guest_vm(const std::string& name, const std::string& extra_cmdline = {});
  // Polls GET /v1/vms/NAME until its state is `state` or the timeout passes.
  bool wait_state(const std::string& name, const std::string& state, std::chrono::seconds timeout);
  // The same for any resource with a "state" (a container: /v1/containers/NAME).
  bool wait_state_at(const std::string& path, const std::string& state, std::chrono::seconds timeout);

 private:
  void remember(const nlohmann::json& vm);
  std::string dir_, socket_;
  pid_t pid_ = -1;
  std::vector<manager::ProcessId> vmms_;
};

// A console attach through the daemon (HTTP Upgrade), for typing and reading.
class ConsoleStream {
 public:
  ConsoleStream(const std::string& socket, const std::string& vm);
  // Any console route: ConsoleStream(socket, ApiPath{"/v1/containers/NAME/console"}).
  struct ApiPath {
    std::string path;
  };
  ConsoleStream(const std::string& socket, const ApiPath& route);
  // Through any daemon address (a Unix socket or https with a client certificate).
  ConsoleStream(const http::Target& daemon, const ApiPath& route);
  ~ConsoleStream();
  bool ok() const { return fd_ >= 0; }
  // Reads until `text` appears after the cursor (consumed to its end); false on timeout/EOF.
  bool expect(const std::string& text, std::chrono::milliseconds timeout);
  // True when no output at all arrives within `window`.
  bool quiet_for(std::chrono::milliseconds window);
  void send(const std::string& text);
  const std::string& output() const { return out_; }

 private:
  bool read_some(std::chrono::milliseconds timeout);
  int fd_ = -1;
  std::string out_;
  size_t cursor_ = 0;
};

}  // namespace vessel::test
