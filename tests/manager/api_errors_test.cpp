// Bad input to vesseld over the real socket: each gets a 4xx whose JSON error names the
// problem (and conforms to the OpenAPI document); the daemon stays up; concurrent requests
// are safe.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "http/http_client.h"
#include "manager/daemon_fixture.h"
#include "support/guest_process.h"

namespace vessel::test {
namespace {

using nlohmann::json;

class ApiErrors : public ::testing::Test {
 protected:
  void SetUp() override { d.start(); }
  void expect_error(const ApiResponse& r, int status, const std::string& code, const std::string& mentions) {
    EXPECT_EQ(r.status, status) << r.body;
    ASSERT_TRUE(r.json.is_object()) << r.body;
    EXPECT_EQ(r.json["error"].value("code", ""), code) << r.body;
    EXPECT_NE(r.json["error"].value("message", "").find(mentions), std::string::npos) << r.body;
  }
  Daemon d;
};

TEST_F(ApiErrors, MalformedJson) {
  expect_error(d.api("POST", "/v1/vms", std::string("{\"name\": \"a\"")), 400, "invalid_json", "not valid JSON");
  expect_error(d.api("POST", "/v1/vms", std::string("[1,2]")), 400, "wrong_type", "JSON object");
}

TEST_F(ApiErrors, UnknownAndMissingFields) {
  json body = d.guest_vm("a");
  body["colour"] = "blue";
  expect_error(d.api("POST", "/v1/vms", body), 400, "unknown_field", "colour");
  body = d.guest_vm("a");
  body["drives"] = json::array({{{"file", "/dev/null"}, {"cache", "none"}}});
  expect_error(d.api("POST", "/v1/vms", body), 400, "unknown_field", "drives[0].cache");
  expect_error(d.api("POST", "/v1/vms", json{{"memory", "128M"}}), 400, "missing_field", "name");
  expect_error(d.api("POST", "/v1/vms", json{{"name", "k"}}), 400, "missing_field", "kernel");
}

TEST_F(ApiErrors, WrongTypesAndSizes) {
  json body = d.guest_vm("a");
  body["cpus"] = "two";
  expect_error(d.api("POST", "/v1/vms", body), 400, "wrong_type", "cpus");
  body = d.guest_vm("a");
  body["memory"] = true;
  expect_error(d.api("POST", "/v1/vms", body), 400, "wrong_type", "memory");
  body["memory"] = "12Q";
  expect_error(d.api("POST", "/v1/vms", body), 400, "invalid_size", "12Q");
  body["memory"] = "1M";
  expect_error(d.api("POST", "/v1/vms", body), 400, "invalid_size", "memory");
  body = d.guest_vm("a");
  body["cpus"] = 0;
  expect_error(d.api("POST", "/v1/vms", body), 400, "invalid_size", "cpus");
  body = d.guest_vm("a");
  body["limits"] = {{"cpu", 5}};
  expect_error(d.api("POST", "/v1/vms", body), 400, "invalid_limit", "cpu");
  body = d.guest_vm("bad/name");
  expect_error(d.api("POST", "/v1/vms", body), 400, "invalid_name", "bad/name");
}

TEST_F(ApiErrors, MissingFiles) {
  json body = d.guest_vm("a");
  body["kernel"] = "/nonexistent/Image";
  expect_error(d.api("POST", "/v1/vms", body), 400, "file_not_found", "/nonexistent/Image");
  body = d.guest_vm("a");
  body["initrd"] = "relative.cpio";
  expect_error(d.api("POST", "/v1/vms", body), 400, "invalid_path", "initrd");
  body = d.guest_vm("a");
  body["drives"] = json::array({{{"file", d.dir() + "/missing.qcow2"}}});
  expect_error(d.api("POST", "/v1/vms", body), 400, "file_not_found", "missing.qcow2");
  EXPECT_EQ(d.api("GET", "/v1/vms").json["vms"].size(), 0u);  // nothing half-created
}

TEST_F(ApiErrors, DuplicateNamesUnknownVmsAndRoutes) {
  EXPECT_EQ(d.api("POST", "/v1/vms", d.guest_vm("a")).status, 201);
  expect_error(d.api("POST", "/v1/vms", d.guest_vm("a")), 409, "already_exists", "'a'");
  expect_error(d.api("GET", "/v1/vms/nope"), 404, "vm_not_found", "nope");
  expect_error(d.api("POST", "/v1/vms/nope/start", std::string()), 404, "vm_not_found", "nope");
  expect_error(d.api("DELETE", "/v1/vms/nope"), 404, "vm_not_found", "nope");
  auto r = http::http_request(d.socket(), "GET", "/v2/things");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  r = http::http_request(d.socket(), "PUT", "/v1/vms");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 405);
  expect_error(d.api("POST", "/v1/vms/a/start", json{{"now", true}}), 400, "unknown_field", "now");
  expect_error(d.api("POST", "/v1/vms/a/stop", json{{"timeout_seconds", "soon"}}), 400, "wrong_type", "timeout_seconds");
  expect_error(d.api("POST", "/v1/vms/a/snapshot", json::object()), 400, "missing_field", "path");
  expect_error(d.api("PATCH", "/v1/vms/a/limits", json{{"cpu", -1}}), 400, "invalid_limit", "cpu");
  expect_error(d.api("PATCH", "/v1/vms/a/limits", json{{"drives", json::array({{{"bps", 1}}})}}), 400,
               "invalid_argument", "drives");
}

TEST_F(ApiErrors, ActionsInvalidForAStoppedVm) {
  ASSERT_EQ(d.api("POST", "/v1/vms", d.guest_vm("a")).status, 201);
  for (const char* action : {"pause", "resume", "stop", "kill"})
    expect_error(d.api("POST", std::string("/v1/vms/a/") + action, std::string()), 409, "invalid_state", "not running");
  expect_error(d.api("POST", "/v1/vms/a/snapshot", json{{"path", d.dir() + "/s.snap"}}), 409, "invalid_state",
               "not running");
  expect_error(d.api("GET", "/v1/vms/a/console"), 409, "invalid_state", "not running");
  EXPECT_EQ(d.api("DELETE", "/v1/vms/a").status, 200);
  EXPECT_EQ(d.api("GET", "/v1/vms/a").status, 404);
}

TEST_F(ApiErrors, GarbageOnTheSocketDoesNotHurtTheDaemon) {
  for (const std::string& raw : {std::string("NOT HTTP AT ALL\r\n\r\n"), std::string("GET / HTTP/9.9\r\n\r\n"),
                                std::string("POST /v1/vms HTTP/1.1\r\nContent-Length: nope\r\n\r\n"),
                                std::string("POST /v1/vms HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"),
                                std::string(100000, 'A')}) {
    const int fd = http::connect_unix(d.socket());
    ASSERT_GE(fd, 0);
    (void)!send(fd, raw.data(), raw.size(), MSG_NOSIGNAL);
    shutdown(fd, SHUT_WR);
    char buf[4096];
    std::string got;
    ssize_t n;
    while ((n = recv(fd, buf, sizeof buf, 0)) > 0) got.append(buf, static_cast<size_t>(n));
    close(fd);
    // 4xx, or 505 for an HTTP version we do not speak.
    EXPECT_TRUE(got.rfind("HTTP/1.1 4", 0) == 0 || got.rfind("HTTP/1.1 505", 0) == 0) << got.substr(0, 80);
  }
  EXPECT_EQ(d.api("GET", "/v1/vms").status, 200);  // still serving
}

TEST_F(ApiErrors, KeepAliveServesSeveralRequestsOnOneConnection) {
  const int fd = http::connect_unix(d.socket());
  ASSERT_GE(fd, 0);
  const std::string two = "GET /v1/vms HTTP/1.1\r\nHost: x\r\n\r\nGET /v1/vms/zz HTTP/1.1\r\nHost: x\r\n\r\n";
  ASSERT_EQ(send(fd, two.data(), two.size(), MSG_NOSIGNAL), static_cast<ssize_t>(two.size()));
  std::string got;
  char buf[4096];
  while (got.find("HTTP/1.1 404") == std::string::npos) {
    const ssize_t n = recv(fd, buf, sizeof buf, 0);
    ASSERT_GT(n, 0) << got;
    got.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  EXPECT_EQ(got.rfind("HTTP/1.1 200", 0), 0u);
}

TEST_F(ApiErrors, ConcurrentRequestsAreSafe) {
  constexpr int kThreads = 8, kRounds = 8;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < kRounds; ++i) {
        const std::string name = "vm" + std::to_string(t) + "-" + std::to_string(i);
        // Every thread also races on one shared name: exactly one create may win.
        auto shared = http::http_request(d.socket(), "POST", "/v1/vms", d.guest_vm("shared").dump());
        if (!shared || (shared->status != 201 && shared->status != 409)) ++failures;
        auto c = http::http_request(d.socket(), "POST", "/v1/vms", d.guest_vm(name).dump());
        auto g = http::http_request(d.socket(), "GET", "/v1/vms/" + name);
        auto l = http::http_request(d.socket(), "GET", "/v1/vms");
        auto x = http::http_request(d.socket(), "DELETE", "/v1/vms/" + name);
        if (!c || c->status != 201 || !g || g->status != 200 || !l || l->status != 200 || !x || x->status != 200)
          ++failures;
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures, 0);
  auto list = d.api("GET", "/v1/vms");
  ASSERT_EQ(list.json["vms"].size(), 1u);
  EXPECT_EQ(list.json["vms"][0]["name"], "shared");
}

}  // namespace
}  // namespace vessel::test
