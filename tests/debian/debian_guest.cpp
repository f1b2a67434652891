#include "debian/debian_guest.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace vessel::test {
namespace {

namespace fs = std::filesystem;

// vessel_bin() and the daemon fixture read these; the environment wins when it names them.
const bool kBinariesNamed = [] {
  setenv("VESSEL_BIN", VESSEL_BIN_PATH, 0);
  setenv("VESSELD_BIN", VESSELD_BIN_PATH, 0);
  return true;
}();

std::string read_first_line(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

std::string shell_quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

}  // namespace

DebianImage find_debian_image(std::string& why) {
  DebianImage image;
  std::string dir;
  if (const char* env = getenv("VESSEL_DEBIAN_DIR"); env && *env) {
    dir = env;
  } else {
    const std::string recipe = std::string(VESSEL_SOURCE_DIR) + "/guest/debian/build.sh";
    if (system((recipe + " --check").c_str()) != 0) {
      why = "no up-to-date Debian trixie image: build it with guest/debian/build.sh (as root, 15-30 minutes; "
            "or `make debian-guest`), or set VESSEL_DEBIAN_DIR";
      return image;
    }
    FILE* p = popen((recipe + " --print-cache").c_str(), "r");
    char buf[4096] = {};
    if (p && fgets(buf, sizeof buf, p)) dir = buf;
    if (p) pclose(p);
    while (!dir.empty() && dir.back() == '\n') dir.pop_back();
  }
  for (const char* f : {"vmlinux", "initrd.img", "disk.img", "id_ed25519", "cmdline"})
    if (!fs::exists(dir + "/" + f)) {
      why = "the Debian image in " + dir + " lacks " + f + " (rebuild with guest/debian/build.sh --force)";
      return image;
    }
  image.dir = dir;
  // systemd waits 90 s for a device by default; coldplugging ttyS0 took longer than that
  // with 4 harts on this 2-core host while other builds ran, and no serial getty started.
  image.cmdline = read_first_line(dir + "/cmdline") + " systemd.default_device_timeout_sec=600";
  return image;
}

std::string make_overlay(const DebianImage& image, const std::string& dir) {
  const std::string overlay = dir + "/overlay.qcow2";
  const std::string cmd = vessel_bin() + " img create -f qcow2 -b " + shell_quote(image.disk()) + " -F raw " +
                          shell_quote(overlay) + " >/dev/null";
  return system(cmd.c_str()) == 0 ? overlay : std::string();
}

int free_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  int port = -1;
  if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0)
    port = ntohs(a.sin_port);
  close(fd);
  return port;
}

bool console_ready(GuestProcess& vm, std::chrono::seconds timeout) {
  // Typed input can be lost while the console is still being set up (agetty flushes it, and
  // systemd reads the terminal for its size), so ask until the shell answers.
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    vm.send("printf '%s-%s\\n' VESSEL SHELL-READY\n");
    if (vm.expect("VESSEL-SHELL-READY", std::chrono::seconds(5))) return true;
  }
  return false;
}

int console_run(GuestProcess& vm, const std::string& command, std::chrono::seconds timeout) {
  // The marker is assembled by printf, so the echoed command line never matches it.
  vm.send(command + "; printf '%s=%d\\n' VESSEL-RC $?\n");
  if (!vm.expect("VESSEL-RC=", timeout)) return -1;
  const size_t at = vm.output().rfind("VESSEL-RC=") + 10;
  if (!vm.expect("\n", std::chrono::seconds(10))) return -1;
  return atoi(vm.output().c_str() + at);
}

SshResult ssh_run(const DebianImage& image, int port, const std::string& user, const std::string& command,
                  std::chrono::seconds timeout) {
  const std::string cmd = "timeout " + std::to_string(timeout.count()) + " ssh -q -i " + shell_quote(image.ssh_key()) +
                          " -p " + std::to_string(port) +
                          " -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o BatchMode=yes"
                          " -o ConnectTimeout=30 " + user + "@127.0.0.1 " + shell_quote(command) + " 2>&1";
  SshResult r;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return r;
  char buf[4096];
  for (size_t n; (n = fread(buf, 1, sizeof buf, p)) > 0;) r.output.append(buf, n);
  const int status = pclose(p);
  r.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

}  // namespace vessel::test
