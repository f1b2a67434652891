// The VMM's control socket: a Unix stream socket taking one JSON request per line and
// answering one JSON object per line. The manager (vesseld) and tests drive a running VM
// through it: status, pause/resume, balloon target and statistics, stop.
#pragma once
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "common/result.h"

namespace vessel::vmm {

class VirtualMachine;

class ControlServer {
 public:
  ~ControlServer();
  static Result<std::unique_ptr<ControlServer>> listen(const std::string& path);
  // Serves requests against `vm` until stopped or the VM is replaced (reboot).
  void attach(VirtualMachine* vm);

  // One request, one answer (exposed for unit tests).
  static std::string handle(VirtualMachine* vm, const std::string& request);

  // The VM migrated away: until the process ends, "migrate-status" answers `final_status`
  // (the report with the measured downtime) and "status" the state "migrated".
  void set_epilogue(const std::string& final_status);
  // Waits until a client has read that report, at most `timeout`; true if one did.
  bool wait_epilogue_read(std::chrono::milliseconds timeout);

 private:
  ControlServer() = default;
  void serve();
  void serve_client(int fd);

  std::string path_;
  int listen_fd_ = -1, stop_fd_ = -1;
  std::thread thread_;
  std::mutex vm_mutex_;
  VirtualMachine* vm_ = nullptr;
  std::string epilogue_;  // guarded by vm_mutex_
  bool epilogue_read_ = false;
  std::condition_variable epilogue_cv_;
};

}  // namespace vessel::vmm
