#include "api_call.h"

#include <cstdlib>

#include "http/http_client.h"

namespace vessel::cli {

std::string default_socket() {
  const char* env = getenv("VESSEL_SOCKET");
  return env && *env ? env : "/run/vessel/vessel.sock";
}

void add_connection_options(CLI::App& app, Common& c) {
  c.socket = default_socket();
  const char* remote = getenv("VESSEL_REMOTE");
  const char* tls = getenv("VESSEL_TLS_DIR");
  c.remote = remote ? remote : "";
  c.tls_dir = tls ? tls : "";
  app.add_option("--socket", c.socket, "vesseld API socket (env VESSEL_SOCKET)")->capture_default_str();
  app.add_option("--remote", c.remote,
                 "a remote vesseld as https://HOST:PORT (its --listen), over mutual TLS (env VESSEL_REMOTE)");
  app.add_option("--tls-dir", c.tls_dir,
                 "with --remote: ca.crt, client.crt and client.key, as `vessel cert issue` makes them (env VESSEL_TLS_DIR)");
}

Result<http::Target> daemon_target(const Common& c) {
  if (c.remote.empty()) return http::unix_target(c.socket);
  if (c.tls_dir.empty()) return Error{"--remote needs --tls-dir (or VESSEL_TLS_DIR): a client certificate the daemon's CA signed"};
  auto tls = http::TlsContext::create(http::TlsContext::Side::Client, http::tls_files_in(c.tls_dir, "client"));
  if (!tls) return Error{tls.error()};
  return http::https_target(c.remote, tls.value());
}

std::string absolute_path(const std::string& p) {
  if (p.empty() || p[0] == '/') return p;
  char cwd[4096];
  return getcwd(cwd, sizeof cwd) ? std::string(cwd) + "/" + p : p;
}


std::string human_bytes(double b) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int u = 0;
  while (b >= 1024 && u < 4) {
    b /= 1024;
    ++u;
  }
  char buf[32];
  snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.1f %s", b, units[u]);
  return buf;
}

std::string human_duration(double s) {
  char buf[32];
  if (s < 120) snprintf(buf, sizeof buf, "%.0fs", s);
  else if (s < 7200) snprintf(buf, sizeof buf, "%.0fm", s / 60);
  else snprintf(buf, sizeof buf, "%.1fh", s / 3600);
  return buf;
}

std::optional<http::ClientResponse> request(const Common& c, const std::string& method, const std::string& path,
                                            const std::string& body, const char* progress) {
  auto target = daemon_target(c);
  if (!target) {
    fprintf(stderr, "%s: %s\n", c.program, target.error().c_str());
    return std::nullopt;
  }
  auto send = [&] { return http::http_request(target.value(), method, path, body); };
  auto r = progress ? with_progress(progress, send) : send();
  if (!r) {
    fprintf(stderr, "%s: %s\n", c.program, r.error().c_str());
    if (r.error().find("cannot connect") != std::string::npos)
      fprintf(stderr, "%s: is vesseld running? (%s)\n", c.program,
              c.remote.empty() ? "--socket or VESSEL_SOCKET" : "--remote or VESSEL_REMOTE");
    return std::nullopt;
  }
  if (r->status >= 400) {
    json j = json::parse(r->body, nullptr, false);
    const std::string msg = !j.is_discarded() && j.contains("error") ? j["error"].value("message", r->body) : r->body;
    fprintf(stderr, "%s: %s\n", c.program, msg.c_str());
    return std::nullopt;
  }
  return std::move(r.value());
}

std::optional<json> call(const Common& c, const std::string& method, const std::string& path, const json& body,
                         const char* progress) {
  auto r = request(c, method, path, body.is_null() ? std::string() : body.dump(), progress);
  if (!r) return std::nullopt;
  json j = json::parse(r->body, nullptr, false);
  if (j.is_discarded()) return json(r->body);  // /metrics is text
  return j;
}

}  // namespace vessel::cli
