#include "agent/guest_agent.h"

#include <algorithm>
#include <thread>

#include "agent/base64.h"

namespace vessel::agent {
namespace {

using nlohmann::json;

// Per guest-file-read/write: well under the agent's own limits, and a few round trips per MiB.
constexpr size_t kFileChunk = 1024 * 1024;

AgentError bad_answer(const std::string& what) {
  return {AgentError::Kind::Protocol, "the guest agent's answer to " + what + " is not what its protocol says"};
}

AgentResult<std::string> decoded(const json& j, const char* field) {
  if (!j.contains(field)) return std::string();
  if (!j[field].is_string()) return bad_answer(field);
  auto d = base64_decode(j[field].get<std::string>());
  if (!d) return bad_answer(field);
  return *d;
}

// Closes a guest file handle; used on every path out of a file operation.
void close_handle(QgaClient& agent, int64_t handle, Clock::time_point deadline) {
  (void)agent.call("guest-file-close", {{"handle", handle}}, std::max(deadline, Clock::now() + std::chrono::seconds(2)));
}

}  // namespace

AgentResult<ExecResult> exec(QgaClient& agent, const ExecRequest& request) {
  if (request.argv.empty()) return AgentError{AgentError::Kind::Failed, "no command to run"};
  const auto deadline = Clock::now() + request.timeout;
  json args{{"path", request.argv[0]}, {"capture-output", true}};
  args["arg"] = std::vector<std::string>(request.argv.begin() + 1, request.argv.end());
  if (!request.env.empty()) args["env"] = request.env;
  if (!request.input.empty()) args["input-data"] = base64_encode(request.input);
  auto started = agent.call("guest-exec", args, deadline);
  if (!started) return started.error();
  if (!started->is_object() || !(*started)["pid"].is_number_integer()) return bad_answer("guest-exec");
  const int64_t pid = (*started)["pid"].get<int64_t>();
  // The agent has no blocking wait: ask for the status, backing off from 2 ms to 100 ms
  // (most commands end within a few polls; long ones cost one small request per 100 ms).
  auto interval = std::chrono::milliseconds(2);
  for (;;) {
    auto st = agent.call("guest-exec-status", {{"pid", pid}}, deadline);
    if (!st) {
      if (st.error().kind != AgentError::Kind::Timeout) return st.error();
      break;
    }
    if (!st->is_object()) return bad_answer("guest-exec-status");
    if (st->value("exited", false)) {
      ExecResult r;
      r.exit_code = st->contains("exitcode") ? st->value("exitcode", -1) : -1;
      r.signal = st->value("signal", 0);
      auto out = decoded(*st, "out-data");
      auto err = decoded(*st, "err-data");
      if (!out) return out.error();
      if (!err) return err.error();
      r.out = std::move(out.value());
      r.err = std::move(err.value());
      r.truncated = st->value("out-truncated", false) || st->value("err-truncated", false);
      return r;
    }
    if (Clock::now() + interval >= deadline) break;
    std::this_thread::sleep_for(interval);  // polling the agent, which cannot notify
    interval = std::min(interval * 2, std::chrono::milliseconds(100));
  }
  // Out of time: end the command so it does not run on unseen.
  (void)agent.call("guest-exec", {{"path", "/bin/sh"}, {"arg", {"-c", "kill -KILL " + std::to_string(pid)}}},
                   Clock::now() + std::chrono::seconds(5));
  return AgentError{AgentError::Kind::Timeout,
                    "the command did not finish within " + std::to_string(request.timeout.count() / 1000.0).substr(0, 5) +
                        " s and was killed"};
}

AgentResult<bool> shutdown(QgaClient& agent, Clock::time_point deadline) {
  return agent.call_quiet("guest-shutdown", {{"mode", "powerdown"}}, deadline);
}

AgentResult<FileChunk> read_file(QgaClient& agent, const std::string& path, uint64_t offset, size_t max_bytes,
                                 Clock::time_point deadline) {
  auto h = agent.call("guest-file-open", {{"path", path}, {"mode", "r"}}, deadline);
  if (!h) return h.error();
  if (!h->is_number_integer()) return bad_answer("guest-file-open");
  const int64_t handle = h->get<int64_t>();
  FileChunk chunk;
  if (offset > 0) {
    auto s = agent.call("guest-file-seek", {{"handle", handle}, {"offset", offset}, {"whence", "set"}}, deadline);
    if (!s) {
      close_handle(agent, handle, deadline);
      return s.error();
    }
  }
  while (chunk.data.size() < max_bytes && !chunk.eof) {
    const size_t want = std::min(kFileChunk, max_bytes - chunk.data.size());
    auto r = agent.call("guest-file-read", {{"handle", handle}, {"count", want}}, deadline);
    if (!r || !r->is_object()) {
      close_handle(agent, handle, deadline);
      if (!r) return r.error();
      return bad_answer("guest-file-read");
    }
    auto data = decoded(*r, "buf-b64");
    if (!data) {
      close_handle(agent, handle, deadline);
      return data.error();
    }
    chunk.data += data.value();
    chunk.eof = r->value("eof", false) || data.value().empty();
  }
  close_handle(agent, handle, deadline);
  return chunk;
}

AgentResult<uint64_t> write_file(QgaClient& agent, const std::string& path, const std::string& data, bool append,
                                 Clock::time_point deadline) {
  auto h = agent.call("guest-file-open", {{"path", path}, {"mode", append ? "a" : "w"}}, deadline);
  if (!h) return h.error();
  if (!h->is_number_integer()) return bad_answer("guest-file-open");
  const int64_t handle = h->get<int64_t>();
  uint64_t written = 0;
  for (size_t at = 0; at < data.size();) {
    const std::string_view piece(data.data() + at, std::min(kFileChunk, data.size() - at));
    auto r = agent.call("guest-file-write", {{"handle", handle}, {"buf-b64", base64_encode(piece)}}, deadline);
    if (!r || !r->is_object() || !(*r)["count"].is_number_unsigned() || (*r)["count"].get<uint64_t>() == 0) {
      close_handle(agent, handle, deadline);
      if (!r) return r.error();
      return bad_answer("guest-file-write");
    }
    const uint64_t n = (*r)["count"].get<uint64_t>();
    at += static_cast<size_t>(std::min<uint64_t>(n, piece.size()));
    written += n;
  }
  auto closed = agent.call("guest-file-close", {{"handle", handle}}, deadline);
  if (!closed) return closed.error();  // a failed close can mean lost data (the guest's flush)
  return written;
}

}  // namespace vessel::agent
