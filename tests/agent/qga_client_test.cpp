// QgaClient and the agent operations against a scripted agent behind a scripted vsock
// socket: the VMM's "CONNECT PORT" handshake, then the QEMU guest agent protocol as qemu-ga
// speaks it (one JSON object per line; guest-sync-delimited answered after a 0xFF byte).
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <functional>
#include <map>
#include <mutex>
#include <thread>

#include "agent/base64.h"
#include "agent/guest_agent.h"

namespace vessel::agent {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

// A VMM vsock socket with an agent behind it, on its own thread. `behaviour` answers each
// command (json request -> the line to send back, or "" for none; "close" closes).
class FakeAgent {
 public:
  using Behaviour = std::function<std::string(const json& request)>;
  explicit FakeAgent(Behaviour behaviour, bool accept_port = true, std::string stale = {})
      : behaviour_(std::move(behaviour)), accept_port_(accept_port), stale_(std::move(stale)) {
    char tmpl[] = "/tmp/vessel-qga-XXXXXX";
    dir_ = mkdtemp(tmpl);
    path_ = dir_ + "/vsock";
    listen_fd_ = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    snprintf(a.sun_path, sizeof a.sun_path, "%s", path_.c_str());
    EXPECT_EQ(bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    EXPECT_EQ(listen(listen_fd_, 4), 0);
    thread_ = std::thread([this] { serve(); });
  }
  ~FakeAgent() {
    shutdown(listen_fd_, SHUT_RDWR);
    close(listen_fd_);
    if (thread_.joinable()) thread_.join();
    unlink(path_.c_str());
    rmdir(dir_.c_str());
  }
  const std::string& path() const { return path_; }
  std::vector<json> requests() {
    std::lock_guard l(mutex_);
    return requests_;
  }
  std::string connect_line() {
    std::lock_guard l(mutex_);
    return connect_line_;
  }

 private:
  void serve() {
    const int fd = accept(listen_fd_, nullptr, nullptr);
    if (fd < 0) return;
    std::string buf;
    auto next_line = [&](std::string& line) {
      for (;;) {
        const size_t nl = buf.find('\n');
        if (nl != std::string::npos) {
          line = buf.substr(0, nl);
          buf.erase(0, nl + 1);
          return true;
        }
        char tmp[65536];
        const ssize_t n = read(fd, tmp, sizeof tmp);
        if (n <= 0) return false;
        buf.append(tmp, static_cast<size_t>(n));
      }
    };
    auto send = [&](const std::string& s) { (void)!write(fd, s.data(), s.size()); };
    std::string line;
    if (next_line(line)) {
      {
        std::lock_guard l(mutex_);
        connect_line_ = line;
      }
      if (accept_port_) {
        send("OK 1073741824\n" + stale_);
        while (next_line(line)) {
          const json req = json::parse(line, nullptr, false);
          {
            std::lock_guard l(mutex_);
            requests_.push_back(req);
          }
          if (req.value("execute", "") == "guest-sync-delimited") {
            send("\xff" + json{{"return", req["arguments"]["id"]}}.dump() + "\n");
            continue;
          }
          const std::string answer = behaviour_(req);
          if (answer == "close") break;
          if (!answer.empty()) send(answer + "\n");
        }
      }
    }
    close(fd);
  }

  Behaviour behaviour_;
  bool accept_port_;
  std::string stale_;
  std::string dir_, path_;
  int listen_fd_ = -1;
  std::thread thread_;
  std::mutex mutex_;
  std::vector<json> requests_;
  std::string connect_line_;
};

std::string ret(const json& v) { return json{{"return", v}}.dump(); }

Clock::time_point in(std::chrono::milliseconds d) { return Clock::now() + d; }

TEST(QgaClient, HandshakesSkipsStaleAnswersAndRunsACommand) {
  std::atomic<int> polls{0};
  FakeAgent agent(
      [&](const json& req) -> std::string {
        const std::string cmd = req.value("execute", "");
        if (cmd == "guest-exec") return ret({{"pid", 42}});
        if (cmd == "guest-exec-status") {
          if (++polls < 3) return ret({{"exited", false}});
          return ret({{"exited", true},
                      {"exitcode", 3},
                      {"out-data", base64_encode("hello\n")},
                      {"err-data", base64_encode(std::string("bin\0ary", 7))}});
        }
        return "";
      },
      true,
      // What an earlier client left unread: an answer, and an older sync's.
      "{\"return\": {}}\n\xff{\"return\": 7}\n");
  auto c = QgaClient::connect_vsock(agent.path(), 1234, in(5s));
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(agent.connect_line(), "CONNECT 1234");
  ExecRequest req;
  req.argv = {"sh", "-c", "echo hello"};
  req.env = {"A=b"};
  req.input = "in";
  auto r = exec(c.value(), req);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->exit_code, 3);
  EXPECT_EQ(r->out, "hello\n");
  EXPECT_EQ(r->err, std::string("bin\0ary", 7));
  EXPECT_EQ(polls.load(), 3);
  const auto reqs = agent.requests();
  ASSERT_GE(reqs.size(), 2u);
  const json& started = reqs[1];
  EXPECT_EQ(started["execute"], "guest-exec");
  EXPECT_EQ(started["arguments"]["path"], "sh");
  EXPECT_EQ(started["arguments"]["arg"], json({"-c", "echo hello"}));
  EXPECT_EQ(started["arguments"]["env"], json({"A=b"}));
  EXPECT_EQ(started["arguments"]["input-data"], base64_encode("in"));
  EXPECT_EQ(started["arguments"]["capture-output"], true);
}

TEST(QgaClient, NoAgentOnThePortIsUnreachable) {
  FakeAgent agent([](const json&) { return std::string(); }, false);
  auto c = QgaClient::connect_vsock(agent.path(), 99, in(5s));
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().kind, AgentError::Kind::Unreachable);
  EXPECT_NE(c.error().message.find("vsock port 99"), std::string::npos) << c.error().message;
  auto none = QgaClient::connect_vsock("/nonexistent/vsock", 99, in(5s));
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().kind, AgentError::Kind::Unreachable);
}

TEST(QgaClient, ACommandPastItsTimeoutIsKilled) {
  FakeAgent agent([](const json& req) -> std::string {
    const std::string cmd = req.value("execute", "");
    if (cmd == "guest-exec") return ret({{"pid", req["arguments"]["path"] == "/bin/sh" ? 8 : 7}});
    if (cmd == "guest-exec-status") return ret({{"exited", false}});
    return "";
  });
  auto c = QgaClient::connect_vsock(agent.path(), 1234, in(5s));
  ASSERT_TRUE(c);
  ExecRequest req;
  req.argv = {"sleep", "100"};
  req.timeout = 300ms;
  const auto start = Clock::now();
  auto r = exec(c.value(), req);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, AgentError::Kind::Timeout);
  EXPECT_LT(Clock::now() - start, 5s);
  const auto reqs = agent.requests();
  ASSERT_FALSE(reqs.empty());
  const json& kill = reqs.back();
  EXPECT_EQ(kill["execute"], "guest-exec");
  EXPECT_EQ(kill["arguments"]["arg"], json({"-c", "kill -KILL 7"}));
}

TEST(QgaClient, FilesMoveInPiecesBothWays) {
  std::string file;
  size_t pos = 0;
  bool open = false;
  FakeAgent agent([&](const json& req) -> std::string {
    const std::string cmd = req.value("execute", "");
    const json& a = req.value("arguments", json::object());
    if (cmd == "guest-file-open") {
      if (a["path"] != "/root/f") return json{{"error", {{"class", "GenericError"}, {"desc", "No such file"}}}}.dump();
      if (a["mode"] == "w") file.clear();
      pos = a["mode"] == "a" ? file.size() : 0;
      open = true;
      return ret(1000);
    }
    if (cmd == "guest-file-seek") {
      pos = a["offset"].get<size_t>();
      return ret({{"position", pos}, {"eof", false}});
    }
    if (cmd == "guest-file-write") {
      const auto data = base64_decode(a["buf-b64"].get<std::string>()).value();
      file.replace(pos, std::min(data.size(), file.size() - std::min(pos, file.size())), data);
      pos += data.size();
      return ret({{"count", data.size()}, {"eof", false}});
    }
    if (cmd == "guest-file-read") {
      const size_t n = std::min(a["count"].get<size_t>(), file.size() - std::min(pos, file.size()));
      const std::string piece = file.substr(pos, n);
      pos += n;
      return ret({{"count", n}, {"buf-b64", base64_encode(piece)}, {"eof", pos >= file.size()}});
    }
    if (cmd == "guest-file-close") {
      open = false;
      return ret(json::object());
    }
    return "";
  });
  auto c = QgaClient::connect_vsock(agent.path(), 1234, in(5s));
  ASSERT_TRUE(c);
  std::string data(2 * 1024 * 1024 + 777, '\0');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 131 + (i >> 9));
  auto w = write_file(c.value(), "/root/f", data, false, in(10s));
  ASSERT_TRUE(w) << w.error().message;
  EXPECT_EQ(w.value(), data.size());
  w = write_file(c.value(), "/root/f", "tail", true, in(10s));
  ASSERT_TRUE(w);
  auto r = read_file(c.value(), "/root/f", 5, 3 * 1024 * 1024, in(10s));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->eof);
  EXPECT_TRUE(r->data == data.substr(5) + "tail");
  r = read_file(c.value(), "/root/f", 0, 100, in(10s));
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->eof);
  EXPECT_EQ(r->data, data.substr(0, 100));
  EXPECT_FALSE(open) << "a handle was left open";
  auto missing = read_file(c.value(), "/nope", 0, 10, in(10s));
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().kind, AgentError::Kind::Failed);
  EXPECT_NE(missing.error().message.find("No such file"), std::string::npos) << missing.error().message;
}

TEST(QgaClient, ShutdownNeedsNoAnswerAndGarbageIsAProtocolError) {
  FakeAgent agent([](const json& req) -> std::string {
    if (req.value("execute", "") == "guest-shutdown") return "close";
    return "this is not json";
  });
  auto c = QgaClient::connect_vsock(agent.path(), 1234, in(5s));
  ASSERT_TRUE(c);
  auto bad = c->call("guest-info", json::object(), in(5s));
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().kind, AgentError::Kind::Protocol);
  EXPECT_TRUE(shutdown(c.value(), in(5s)));
  EXPECT_EQ(agent.requests().back()["arguments"]["mode"], "powerdown");
}

TEST(QgaClient, AnAgentThatNeverAnswersTimesOut) {
  FakeAgent agent([](const json&) { return std::string(); });
  auto c = QgaClient::connect_vsock(agent.path(), 1234, in(5s));
  ASSERT_TRUE(c);
  auto r = c->call("guest-info", json::object(), in(200ms));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, AgentError::Kind::Timeout);
}

}  // namespace
}  // namespace vessel::agent
