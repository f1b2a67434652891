// The TLS transport on its own (src/http/tls_*.cpp, no daemon): an HttpServer with mutual TLS
// and certificates from the cluster CA code; a 3 MiB body each way (partial TLS writes and
// reads through the relay), a connection taken over by a handler and echoed until the client
// half-closes (close_notify carried as EOF), refused and accepted identities, and the
// parsing of https:// addresses and the access rules.
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>

#include "api/access.h"
#include "cluster/certificate_authority.h"
#include "http/http_client.h"
#include "http/http_server.h"
#include "http/socket_io.h"

namespace vessel::test {
namespace {

using namespace std::chrono_literals;

struct TempPki {
  TempPki() {
    char tmpl[] = "/tmp/vessel-tls-XXXXXX";
    dir = mkdtemp(tmpl);
    ok = cluster::create_ca(dir + "/ca", "test CA") &&
         cluster::issue_certificate(dir + "/ca", dir + "/ca", "host", {"server", "host", {}, {"127.0.0.1"}}) &&
         cluster::issue_certificate(dir + "/ca", dir + "/ca", "client", {"alice", "admin", "web", {}}) &&
         cluster::create_ca(dir + "/other", "other CA") &&
         cluster::issue_certificate(dir + "/other", dir + "/other", "client", {"mallory", "admin", {}, {}});
  }
  ~TempPki() {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
  std::shared_ptr<http::TlsContext> context(http::TlsContext::Side side, const std::string& sub, const std::string& stem) {
    auto c = http::TlsContext::create(side, http::tls_files_in(dir + "/" + sub, stem));
    EXPECT_TRUE(c) << (c ? "" : c.error());
    return c ? c.value() : nullptr;
  }
  std::string dir;
  bool ok = false;
};

TEST(TlsTransport, BodiesStreamsAndIdentities) {
  TempPki pki;
  ASSERT_TRUE(pki.ok);
  std::mutex seen_mutex;
  http::Peer seen;
  auto server = http::HttpServer::listen_tls(
      "127.0.0.1", 0, pki.context(http::TlsContext::Side::Server, "ca", "host"),
      [&](const http::HttpRequest& r) {
        {
          std::lock_guard lock(seen_mutex);
          seen = r.peer;
        }
        http::HandlerResult out;
        if (r.path == "/echo") {
          out.response.content_type = "application/octet-stream";
          out.response.body = r.body;
          return out;
        }
        // /stream: echo every byte until the client half-closes, then say how many.
        out.response.status = 200;
        out.response.streaming = true;
        out.stream = [](int fd, std::string rest) {
          if (fd < 0) return;
          size_t total = rest.size();
          (void)http::send_all(fd, rest);
          char buf[8192];
          for (ssize_t n; (n = recv(fd, buf, sizeof buf, 0)) > 0;) {
            total += static_cast<size_t>(n);
            if (!http::send_all(fd, buf, static_cast<size_t>(n))) return;
          }
          (void)http::send_all(fd, "\nTOTAL " + std::to_string(total) + "\n");
        };
        return out;
      },
      nullptr);
  ASSERT_TRUE(server) << server.error();
  const unsigned port = server.value()->port();
  auto target = http::https_target("https://127.0.0.1:" + std::to_string(port),
                                   pki.context(http::TlsContext::Side::Client, "ca", "client"));
  ASSERT_TRUE(target);

  // 3 MiB of a pattern each way.
  std::string big(3 << 20, '\0');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>((i * 7 + i / 4096) & 0xff);
  auto r = http::http_request(target.value(), "POST", "/echo", big, 60s);
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->status, 200);
  EXPECT_TRUE(r->body == big) << "the echoed body differs (" << r->body.size() << " bytes)";
  {
    std::lock_guard lock(seen_mutex);
    EXPECT_EQ(seen.transport, http::Peer::Transport::Tls);
    EXPECT_EQ(seen.name, "alice");
    EXPECT_EQ(seen.role, "admin");
    EXPECT_EQ(seen.project, "web");
    EXPECT_EQ(seen.local_address, "127.0.0.1");
  }

  // A taken-over connection: bytes both ways, then a half-close that the server sees as EOF.
  auto s = http::http_open_stream(target.value(), "GET", "/stream");
  ASSERT_TRUE(s) << s.error();
  EXPECT_EQ(s->status, 200);
  std::string got = s->initial;
  const std::string chunk(100000, 'x');
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(http::send_all(s->fd, chunk));
  shutdown(s->fd, SHUT_WR);
  char buf[16384];
  for (;;) {
    pollfd p{s->fd, POLLIN, 0};
    ASSERT_GT(poll(&p, 1, 30000), 0) << "no end of stream; got " << got.size();
    const ssize_t n = recv(s->fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    got.append(buf, static_cast<size_t>(n));
  }
  close(s->fd);
  EXPECT_NE(got.find("\nTOTAL 1000000\n"), std::string::npos) << got.size() << " bytes back";
  EXPECT_EQ(got.size(), 1000000 + std::string("\nTOTAL 1000000\n").size());

  // Another CA's certificate: no HTTP, an error that says why.
  auto stranger = http::https_target("https://127.0.0.1:" + std::to_string(port),
                                     pki.context(http::TlsContext::Side::Client, "other", "client"));
  ASSERT_TRUE(stranger);
  r = http::http_request(stranger.value(), "GET", "/echo", {}, 10s);
  EXPECT_FALSE(r);
  // A server whose certificate does not name what we dialled.
  auto by_name = http::https_target("https://localhost:" + std::to_string(port),
                                    pki.context(http::TlsContext::Side::Client, "ca", "client"));
  ASSERT_TRUE(by_name);
  r = http::http_request(by_name.value(), "GET", "/echo", {}, 10s);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().find("TLS"), std::string::npos) << r.error();
  server.value()->stop();
}

TEST(TlsTransport, HttpsAddressesAndAccessRules) {
  EXPECT_TRUE(http::https_target("https://10.0.0.1:7443", nullptr));
  auto v6 = http::https_target("https://[::1]:7443/", nullptr);
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->text(), "https://[::1]:7443");
  for (const char* bad : {"http://h:1", "https://h", "https://:1", "https://h:0", "https://h:65536", "https://h:1x",
                          "https://[::1:5", "https://h:"})
    EXPECT_FALSE(http::https_target(bad, nullptr)) << bad;

  http::HttpRequest r;
  r.method = "POST";
  r.path = "/v1/vms";
  EXPECT_FALSE(api::authorize(r)) << "the Unix socket may do anything";
  r.peer.transport = http::Peer::Transport::Tls;
  for (const char* role : {"admin", "host"}) {
    r.peer.role = role;
    EXPECT_FALSE(api::authorize(r)) << role;
  }
  r.peer.role = "read-only";
  ASSERT_TRUE(api::authorize(r));
  EXPECT_EQ(api::authorize(r)->status, 403);
  r.method = "GET";
  EXPECT_FALSE(api::authorize(r));
  r.path = "/v1/vms/a/console";
  EXPECT_TRUE(api::authorize(r)) << "console attach types into the guest";
  r.path = "/v1/containers/a/console";
  EXPECT_TRUE(api::authorize(r));
  r.path = "/v1/vms/a/migration";
  EXPECT_FALSE(api::authorize(r));
  r.peer.role = "";
  EXPECT_TRUE(api::authorize(r)) << "no role, no access";
  r.peer.role = "Admin";
  EXPECT_TRUE(api::authorize(r));
}

}  // namespace
}  // namespace vessel::test
