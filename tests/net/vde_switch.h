// A VDE switch (Debian's vde_switch) for one test: started daemonized on a fresh socket
// directory, ended by its pid when the test is done.
#pragma once
#include <sys/types.h>

#include <string>

namespace vessel::test {

class VdeSwitch {
 public:
  // Starts `vde_switch -s DIR -d -p PIDFILE` under a fresh temporary directory.
  VdeSwitch();
  ~VdeSwitch();
  VdeSwitch(const VdeSwitch&) = delete;
  VdeSwitch& operator=(const VdeSwitch&) = delete;

  bool running() const { return pid_ > 0; }
  const std::string& error() const { return error_; }
  const std::string& socket_dir() const { return sock_; }

  static bool available();  // vde_switch is installed

 private:
  std::string dir_, sock_, error_;
  pid_t pid_ = -1;
};

}  // namespace vessel::test
