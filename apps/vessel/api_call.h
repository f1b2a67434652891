// The CLI's side of the REST API: one request to vesseld, its errors printed the same way
// for `vessel vm`, `vessel ct`, `vessel image` and `vessel ls`.
#pragma once
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <optional>
#include <string>
#include <thread>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "common/result.h"
#include "http/http_client.h"

namespace vessel::cli {

using nlohmann::json;

struct Common {
  std::string socket;
  std::string remote;   // https://HOST:PORT of a remote vesseld (--remote, env VESSEL_REMOTE)
  std::string tls_dir;  // ca.crt, client.crt, client.key (--tls-dir, env VESSEL_TLS_DIR)
  bool json_output = false;
  const char* program = "vessel";  // prefix of error messages
};

// --socket, else VESSEL_SOCKET, else /run/vessel/vessel.sock.
std::string default_socket();
// --socket, --remote and --tls-dir on a command, with their environment defaults.
void add_connection_options(CLI::App& app, Common& c);
// Where the daemon is: the Unix socket, or --remote with the client certificate of --tls-dir.
Result<http::Target> daemon_target(const Common& c);
std::string human_bytes(double b);
std::string human_duration(double s);

// Shows an indeterminate spinner with the elapsed time on a terminal while `work` runs: the
// daemon does not report fractions of a snapshot, so the bar does not pretend to.
template <typename F>
auto with_progress(const char* what, F work) {
  std::atomic<bool> done{false};
  std::thread spinner;
  if (isatty(STDERR_FILENO)) {
    spinner = std::thread([&] {
      const char frames[] = "|/-\\";
      const auto start = std::chrono::steady_clock::now();
      for (int i = 0; !done; ++i) {
        const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        fprintf(stderr, "\r%s %c %.1fs", what, frames[i % 4], s);
        fflush(stderr);
        std::this_thread::sleep_for(std::chrono::milliseconds(100));  // animation frame, not synchronisation
      }
      fprintf(stderr, "\r\033[K");
    });
  }
  auto r = work();
  done = true;
  if (spinner.joinable()) spinner.join();
  return r;
}

// Sends a request with a raw body; prints the error (unreachable daemon, or its answer at 400
// and above) and returns nullopt on failure.
std::optional<http::ClientResponse> request(const Common& c, const std::string& method, const std::string& path,
                                            const std::string& body = {}, const char* progress = nullptr);
// The same with a JSON body and answer.
std::optional<json> call(const Common& c, const std::string& method, const std::string& path, const json& body = {},
                         const char* progress = nullptr);
// An absolute path for the daemon, which does not share our working directory.
std::string absolute_path(const std::string& p);

}  // namespace vessel::cli
