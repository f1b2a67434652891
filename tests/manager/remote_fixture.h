// Test support for the API over mutual TLS: a cluster CA and certificates made with the
// `vessel` CLI itself, the TLS port a daemon logged, and API calls over https checked
// against the OpenAPI document.
#pragma once
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "http/http_client.h"
#include "manager/daemon_fixture.h"

namespace vessel::test {

struct CliResult {
  int status = -1;  // exit status (-1: did not exit normally)
  std::string output;  // stdout and stderr
};
// Runs the vessel CLI with `args` (each quoted for the shell).
CliResult run_cli(const std::vector<std::string>& args);

// DIR/ca: `vessel cluster init` (CA, host and admin client certificates for 127.0.0.1);
// DIR/peer: a second host's certificate from the same CA; DIR/reader: a read-only client;
// DIR/stranger: a CA of its own with its own admin client (signed by nobody we trust).
struct Pki {
  explicit Pki(const std::string& dir);
  std::string ca, peer, reader, stranger;
  bool ok = false;
  std::string error;
};

// The port the daemon logged for --listen (its log file), 0 if it did not within `timeout`.
unsigned tls_port(const Daemon& d, std::chrono::seconds timeout = std::chrono::seconds(20));
std::string https_url(unsigned port);
// A client target for https://127.0.0.1:PORT with DIR/client.crt (or host.crt with stem "host").
http::Target tls_target(unsigned port, const std::string& tls_dir, const std::string& stem = "client");
// One request over https; the response is checked against the OpenAPI document. status 0
// and error set when no HTTP answer came (e.g. the handshake was refused).
struct RemoteResponse {
  int status = 0;
  nlohmann::json json;
  std::string body, error;
};
RemoteResponse remote_api(const http::Target& target, const std::string& method, const std::string& path,
                          const nlohmann::json& body = nullptr);

}  // namespace vessel::test
