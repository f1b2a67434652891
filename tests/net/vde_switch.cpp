#include "vde_switch.h"

#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "common/pid_file.h"

namespace vessel::test {

namespace fs = std::filesystem;

bool VdeSwitch::available() { return access("/usr/bin/vde_switch", X_OK) == 0; }

VdeSwitch::VdeSwitch() {
  char tmpl[] = "/tmp/vessel-vde-XXXXXX";
  if (!mkdtemp(tmpl)) {
    error_ = "mkdtemp failed";
    return;
  }
  dir_ = tmpl;
  sock_ = dir_ + "/switch";
  const std::string pidfile = dir_ + "/pid";
  const std::string cmd = "vde_switch -s " + sock_ + " -p " + pidfile + " -d </dev/null >" + dir_ + "/log 2>&1";
  const int rc = std::system(cmd.c_str());
  // The daemon writes its pid file after the command has returned; its sockets exist by then.
  const auto pid = rc == 0 ? wait_for_pid_file(pidfile, std::chrono::seconds(10)) : std::nullopt;
  if (pid) {
    pid_ = *pid;
  } else {
    std::ifstream log(dir_ + "/log");
    error_ = "vde_switch did not start: " + std::string(std::istreambuf_iterator<char>(log), {});
  }
}

VdeSwitch::~VdeSwitch() {
  if (pid_ > 0) {
    // Not our child (it daemonized): a pidfd tells when it is gone, before its directory goes.
    const int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid_, 0));
    kill(pid_, SIGTERM);
    if (pidfd >= 0) {
      pollfd p{pidfd, POLLIN, 0};
      poll(&p, 1, 5000);
      close(pidfd);
    }
  }
  std::error_code ec;
  if (!dir_.empty()) fs::remove_all(dir_, ec);
}

}  // namespace vessel::test
