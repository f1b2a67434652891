// Runs `vessel` as a child process with its console on pipes, for tests that talk to a
// guest like a person at a terminal: wait for output, type a line, wait for exit.
#pragma once
#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace vessel::test {

class GuestProcess {
 public:
  explicit GuestProcess(const std::vector<std::string>& args);
  ~GuestProcess();
  GuestProcess(const GuestProcess&) = delete;
  GuestProcess& operator=(const GuestProcess&) = delete;

  // Reads output until `text` appears after the current position (consumed up to its end),
  // the process exits, or the timeout passes. Returns true if found.
  bool expect(const std::string& text, std::chrono::seconds timeout);
  void send(const std::string& text);
  void close_input();
  // Waits for exit; returns the exit status (128+N for a signal), nullopt on timeout.
  std::optional<int> wait_exit(std::chrono::seconds timeout);
  void signal(int signo);

  const std::string& output() const { return output_; }
  pid_t pid() const { return pid_; }
  // The VMM's own process: pid() itself, or under --sandbox the jail keeper's only child.
  pid_t vmm_pid() const;
  long max_rss_kib() const { return max_rss_kib_; }

 private:
  bool read_some(std::chrono::milliseconds timeout);  // false on EOF or timeout
  pid_t pid_ = -1;
  int in_fd_ = -1, out_fd_ = -1;
  std::string output_;
  size_t cursor_ = 0;
  std::optional<int> status_;
  bool eof_ = false;
  long max_rss_kib_ = 0;
};

// Directory with the test guest (Image, initramfs.cpio.gz), from scripts/guest-dir.sh.
std::string guest_dir();
// Path of the vessel binary under test (from the VESSEL_BIN environment variable).
std::string vessel_bin();

}  // namespace vessel::test
