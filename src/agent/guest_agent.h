// What vesseld asks of a guest agent: run a command, power off, move files. Each takes a
// synchronised QgaClient (qga_client.h) and speaks the reference agent's commands
// (guest-exec, guest-exec-status, guest-shutdown, guest-file-*), so Debian's qemu-ga serves it.
#pragma once
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "agent/qga_client.h"

namespace vessel::agent {

// The guest port where Vessel looks for the agent unless a VM says otherwise.
constexpr uint32_t kDefaultAgentPort = 1234;

struct ExecRequest {
  std::vector<std::string> argv;  // argv[0] is looked up in the guest's PATH
  std::vector<std::string> env;   // NAME=VALUE; the agent's environment when empty
  std::string input;              // given on the command's stdin
  std::chrono::milliseconds timeout{60000};
};

struct ExecResult {
  int exit_code = -1;  // -1 when a signal ended it
  int signal = 0;
  std::string out, err;
  bool truncated = false;  // the agent keeps at most 16 MiB of each stream
};

// Runs a command to completion. Past the timeout the command is killed (SIGKILL, through the
// agent) and the answer is a Timeout error.
AgentResult<ExecResult> exec(QgaClient& agent, const ExecRequest& request);

// Asks the guest for an orderly power-off (its init runs the shutdown).
AgentResult<bool> shutdown(QgaClient& agent, Clock::time_point deadline);

struct FileChunk {
  std::string data;
  bool eof = false;
};
// Up to `max_bytes` of guest file `path` from `offset`.
AgentResult<FileChunk> read_file(QgaClient& agent, const std::string& path, uint64_t offset, size_t max_bytes,
                                 Clock::time_point deadline);
// Writes `data` to guest file `path`: replacing it, or appended to it. Returns bytes written.
AgentResult<uint64_t> write_file(QgaClient& agent, const std::string& path, const std::string& data, bool append,
                                 Clock::time_point deadline);

}  // namespace vessel::agent
