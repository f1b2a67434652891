#include "manager/remote_fixture.h"

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>

namespace vessel::test {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

CliResult run_cli(const std::vector<std::string>& args) {
  std::string cmd = vessel_cli_bin();
  for (const auto& a : args) {
    std::string q = "'";
    for (char c : a) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
    cmd += " " + q + "'";
  }
  cmd += " 2>&1";
  CliResult r;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return r;
  std::array<char, 4096> buf;
  for (size_t n; (n = fread(buf.data(), 1, buf.size(), p)) > 0;) r.output.append(buf.data(), n);
  const int st = pclose(p);
  if (WIFEXITED(st)) r.status = WEXITSTATUS(st);
  return r;
}

Pki::Pki(const std::string& dir) : ca(dir + "/ca"), peer(dir + "/peer"), reader(dir + "/reader"), stranger(dir + "/stranger") {
  const std::vector<std::vector<std::string>> steps = {
      {"cluster", "init", ca, "--host-name", "host-a", "--host", "127.0.0.1", "--host", "localhost"},
      {"cert", "issue", "--ca", ca, "--out", peer, "--name", "host-b", "--role", "host", "--host", "127.0.0.1"},
      {"cert", "issue", "--ca", ca, "--out", reader, "--name", "reader", "--role", "read-only", "--project", "audit"},
      {"cluster", "init", stranger, "--host", "127.0.0.1"}};
  for (const auto& args : steps) {
    const CliResult r = run_cli(args);
    if (r.status != 0) {
      error = "vessel " + args[0] + " " + args[1] + ": " + r.output;
      return;
    }
  }
  ok = true;
}

unsigned tls_port(const Daemon& d, std::chrono::seconds timeout) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    std::ifstream f(d.dir() + "/vesseld.log");
    for (std::string line; std::getline(f, line);) {
      const json j = json::parse(line, nullptr, false);
      if (j.is_object() && j.value("msg", "") == "API over mutual TLS") return j.value("port", 0u);
    }
    if (Clock::now() >= deadline) return 0;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));  // polling the daemon's log file
  }
}

std::string https_url(unsigned port) { return "https://127.0.0.1:" + std::to_string(port); }

http::Target tls_target(unsigned port, const std::string& tls_dir, const std::string& stem) {
  auto ctx = http::TlsContext::create(http::TlsContext::Side::Client, http::tls_files_in(tls_dir, stem));
  EXPECT_TRUE(ctx) << (ctx ? "" : ctx.error());
  auto t = http::https_target(https_url(port), ctx ? ctx.value() : nullptr);
  EXPECT_TRUE(t);
  return t ? t.value() : http::Target{};
}

RemoteResponse remote_api(const http::Target& target, const std::string& method, const std::string& path,
                          const json& body) {
  RemoteResponse out;
  auto r = http::http_request(target, method, path, body.is_null() ? std::string() : body.dump(), std::chrono::seconds(600));
  if (!r) {
    out.error = r.error();
    return out;
  }
  out.status = r->status;
  out.body = r->body;
  if (r->content_type.rfind("application/json", 0) == 0) out.json = json::parse(r->body, nullptr, false);
  const std::string problem = openapi().check_response(method, path, r->status, r->content_type, r->body);
  EXPECT_EQ(problem, "") << method << " " << path << " -> " << r->status << " " << r->body;
  return out;
}

}  // namespace vessel::test
