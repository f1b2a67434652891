// The API over mutual TLS (vesseld --listen, --tls-dir) and who may do what: an admin
// certificate changes things, a read-only one lists and shows but is refused every change
// (403), a certificate from another CA is refused the connection, malformed TLS leaves the
// daemon serving, and each state-changing request leaves an audit line. Also the Unix
// socket's group (--socket-group) and the certificate tool's refusals.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <grp.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "manager/remote_fixture.h"

namespace vessel::test {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

int connect_tcp(unsigned port) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

// Sends `bytes` on a raw TCP connection and reads until the server closes it (or 20 s pass);
// returns what came back, or "<open>" if the server kept it open.
std::string send_raw(unsigned port, const std::string& bytes) {
  const int fd = connect_tcp(port);
  if (fd < 0) return "<no connection>";
  (void)!send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
  std::string got;
  char buf[4096];
  for (;;) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 20000) <= 0) {
      close(fd);
      return "<open>";
    }
    const ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    got.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  return got;
}

std::vector<json> json_lines(const std::string& path) {
  std::vector<json> out;
  std::ifstream f(path);
  for (std::string line; std::getline(f, line);) {
    json j = json::parse(line, nullptr, false);
    if (j.is_object()) out.push_back(j);
  }
  return out;
}

TEST(ManagerRemote, CertificateRolesDecideAndEveryChangeIsAudited) {
  Daemon d;
  const Pki pki(d.dir() + "/pki");
  ASSERT_TRUE(pki.ok) << pki.error;
  const std::string audit_path = d.dir() + "/audit.log";
  d.start({"--listen", "127.0.0.1:0", "--tls-dir", pki.ca, "--audit-log", audit_path});
  const unsigned port = tls_port(d);
  ASSERT_NE(port, 0u) << "no 'API over mutual TLS' line in the daemon's log";
  const auto admin = tls_target(port, pki.ca);
  const auto reader = tls_target(port, pki.reader);
  const auto stranger = tls_target(port, pki.stranger);

  auto r = remote_api(admin, "GET", "/v1/vms");
  ASSERT_EQ(r.status, 200) << r.error << r.body;
  r = remote_api(admin, "POST", "/v1/vms", d.guest_vm("remote-made"));
  ASSERT_EQ(r.status, 201) << r.body;

  // Read-only: lists and shows, every change refused with 403 and nothing changed.
  r = remote_api(reader, "GET", "/v1/vms");
  ASSERT_EQ(r.status, 200) << r.error << r.body;
  EXPECT_NE(r.body.find("remote-made"), std::string::npos);
  EXPECT_EQ(remote_api(reader, "GET", "/v1/vms/remote-made").status, 200);
  EXPECT_EQ(remote_api(reader, "GET", "/metrics").status, 200);
  for (const auto& [method, path] : std::vector<std::pair<std::string, std::string>>{
           {"POST", "/v1/vms"}, {"DELETE", "/v1/vms/remote-made"}, {"POST", "/v1/vms/remote-made/start"},
           {"PATCH", "/v1/vms/remote-made/limits"}, {"POST", "/v1/vms/remote-made/migrate"},
           {"GET", "/v1/vms/remote-made/console"}, {"POST", "/v1/containers"}}) {
    r = remote_api(reader, method, path, method == "POST" && path == "/v1/vms" ? d.guest_vm("nope") : json::object());
    EXPECT_EQ(r.status, 403) << method << " " << path << ": " << r.body;
    EXPECT_EQ(r.json["error"].value("code", ""), "forbidden") << r.body;
  }
  EXPECT_NE(r.json["error"].value("message", "").find("read-only"), std::string::npos) << r.body;
  EXPECT_EQ(d.api("GET", "/v1/vms/remote-made").json.value("state", ""), "stopped");
  EXPECT_EQ(d.api("GET", "/v1/vms/nope").status, 404);

  // A certificate our CA did not sign never gets to HTTP.
  r = remote_api(stranger, "GET", "/v1/vms");
  EXPECT_EQ(r.status, 0) << r.body;
  EXPECT_NE(r.error, "");

  // Malformed TLS: plain HTTP, random bytes, a truncated ClientHello, silent connections.
  EXPECT_EQ(send_raw(port, "GET /v1/vms HTTP/1.1\r\nHost: x\r\n\r\n").find("HTTP/1.1 200"), std::string::npos);
  std::mt19937 rng(7);
  std::string noise(16384, '\0');
  for (auto& c : noise) c = static_cast<char>(rng());
  EXPECT_NE(send_raw(port, noise), "<open>");
  EXPECT_NE(send_raw(port, std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11)), "<no connection>");
  std::vector<int> silent;
  for (int i = 0; i < 32; ++i) silent.push_back(connect_tcp(port));
  const auto before = std::chrono::steady_clock::now();
  r = remote_api(admin, "GET", "/v1/vms");
  EXPECT_EQ(r.status, 200) << r.error;
  EXPECT_LT(std::chrono::steady_clock::now() - before, 5s) << "silent handshakes held up a good client";
  for (int fd : silent) close(fd);
  int status = 0;
  ASSERT_EQ(waitpid(d.pid(), &status, WNOHANG), 0) << "the daemon died";
  EXPECT_EQ(d.api("GET", "/v1/vms").status, 200);

  // The CLI over TLS: the reader lists, is refused a change; the admin deletes.
  const std::string url = https_url(port);
  CliResult cli = run_cli({"vm", "--remote", url, "--tls-dir", pki.reader, "ls"});
  EXPECT_EQ(cli.status, 0) << cli.output;
  EXPECT_NE(cli.output.find("remote-made"), std::string::npos) << cli.output;
  cli = run_cli({"vm", "--remote", url, "--tls-dir", pki.reader, "rm", "remote-made"});
  EXPECT_EQ(cli.status, 1) << cli.output;
  EXPECT_NE(cli.output.find("read-only"), std::string::npos) << cli.output;
  cli = run_cli({"vm", "--remote", url, "--tls-dir", pki.stranger, "ls"});
  EXPECT_EQ(cli.status, 1) << cli.output;
  cli = run_cli({"vm", "--remote", url, "ls"});
  EXPECT_NE(cli.status, 0) << cli.output;
  EXPECT_NE(cli.output.find("--tls-dir"), std::string::npos) << cli.output;
  cli = run_cli({"vm", "--remote", "https://127.0.0.1:notaport", "--tls-dir", pki.ca, "ls"});
  EXPECT_NE(cli.status, 0) << cli.output;
  cli = run_cli({"vm", "--remote", "https://localhost:" + std::to_string(port), "--tls-dir", pki.ca, "rm", "remote-made"});
  EXPECT_EQ(cli.status, 0) << cli.output;
  EXPECT_EQ(d.api("GET", "/v1/vms/remote-made").status, 404);

  // The audit log: one line per state-changing request, none for reads.
  const auto audit = json_lines(audit_path);
  int creates = 0, refusals = 0, deletes = 0;
  for (const auto& a : audit) {
    EXPECT_EQ(a.value("msg", ""), "audit") << a.dump();
    const std::string path = a.value("path", "");
    EXPECT_TRUE(a.value("method", "") != "GET" || path.find("/console") != std::string::npos) << a.dump();
    if (a.value("method", "") == "POST" && path == "/v1/vms" && a.value("status", 0) == 201) {
      ++creates;
      EXPECT_EQ(a.value("role", ""), "admin") << a.dump();
      EXPECT_EQ(a.value("cert", ""), "admin@host-a") << a.dump();
    }
    if (a.value("status", 0) == 403) {
      ++refusals;
      EXPECT_EQ(a.value("cert", ""), "reader") << a.dump();
      EXPECT_EQ(a.value("project", ""), "audit") << a.dump();
    }
    if (a.value("method", "") == "DELETE" && a.value("status", 0) == 200) ++deletes;
  }
  EXPECT_EQ(creates, 1);
  EXPECT_EQ(refusals, 8);  // seven over the API, one from the CLI
  EXPECT_EQ(deletes, 1);
  // The daemon's own log tells of the refused handshakes.
  int refused_lines = 0;
  for (const auto& l : json_lines(d.dir() + "/vesseld.log")) refused_lines += l.value("msg", "") == "TLS connection refused";
  EXPECT_GE(refused_lines, 3);
}

TEST(ManagerRemote, SocketGroupAndBadOptions) {
  Daemon d;
  const group* g = getgrgid(getegid());
  ASSERT_NE(g, nullptr);
  d.start({"--socket-group", g->gr_name});
  struct stat st {};
  ASSERT_EQ(stat(d.socket().c_str(), &st), 0);
  EXPECT_EQ(st.st_gid, getegid());
  EXPECT_EQ(st.st_mode & 0777, 0660u);

  auto vesseld_exit = [&](std::vector<std::string> extra) {
    std::string cmd = vesseld_bin() + " --socket " + d.dir() + "/other.sock --state-dir " + d.dir() + "/other";
    for (const auto& a : extra) cmd += " " + a;
    const int st = system((cmd + " >/dev/null 2>&1").c_str());
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  };
  EXPECT_EQ(vesseld_exit({"--socket-group", "no-such-group-here"}), 2);
  EXPECT_EQ(vesseld_exit({"--listen", "127.0.0.1:0"}), 2) << "--listen without --tls-dir";
  EXPECT_EQ(vesseld_exit({"--listen", "127.0.0.1:0", "--tls-dir", d.dir() + "/missing"}), 2);
  EXPECT_EQ(vesseld_exit({"--listen", "127.0.0.1:99999", "--tls-dir", d.dir() + "/missing"}), 2);
}

TEST(ManagerRemote, CertificateToolRefusesBadRequests) {
  char tmpl[] = "/tmp/vessel-pki-XXXXXX";
  const std::string dir = mkdtemp(tmpl);
  EXPECT_EQ(run_cli({"cluster", "init", dir + "/ca", "--host", "127.0.0.1"}).status, 0);
  struct stat st {};
  ASSERT_EQ(stat((dir + "/ca/ca.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u) << "the CA's key is private";
  CliResult r = run_cli({"cluster", "init", dir + "/ca"});
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_NE(r.output.find("already holds a CA"), std::string::npos) << r.output;
  r = run_cli({"cert", "issue", "--ca", dir + "/ca", "--out", dir + "/x", "--name", "x", "--role", "root"});
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_NE(r.output.find("unknown role"), std::string::npos) << r.output;
  r = run_cli({"cert", "issue", "--ca", dir + "/ca", "--out", dir + "/x", "--name", "x", "--role", "host"});
  EXPECT_NE(r.status, 0) << "a host certificate without names" << r.output;
  r = run_cli({"cert", "issue", "--ca", dir + "/nothing", "--out", dir + "/x", "--name", "x"});
  EXPECT_EQ(r.status, 1) << r.output;
  r = run_cli({"cert", "issue", "--ca", dir + "/ca", "--out", dir + "/x", "--name", "x", "--host", "bad,name"});
  EXPECT_NE(r.status, 0) << r.output;
  EXPECT_EQ(run_cli({"cert", "issue", "--ca", dir + "/ca", "--out", dir + "/x", "--name", "x"}).status, 0);
  r = run_cli({"cert", "issue", "--ca", dir + "/ca", "--out", dir + "/x", "--name", "x"});
  EXPECT_EQ(r.status, 1) << "never overwrites a key" << r.output;
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

}  // namespace
}  // namespace vessel::test
