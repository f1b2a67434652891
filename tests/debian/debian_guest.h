// The stock Debian trixie guest of guest/debian/build.sh, as the Debian boot tests use it:
// where it is, a private writable disk over it, a free host port for ssh, and commands typed
// on the serial console (root is logged in there) or run over ssh.
#pragma once
#include <chrono>
#include <string>

#include "support/guest_process.h"

namespace vessel::test {

struct DebianImage {
  std::string dir;  // vmlinux, initrd.img, disk.img, id_ed25519, cmdline
  std::string cmdline;
  std::string kernel() const { return dir + "/vmlinux"; }
  std::string initrd() const { return dir + "/initrd.img"; }
  std::string disk() const { return dir + "/disk.img"; }
  std::string ssh_key() const { return dir + "/id_ed25519"; }
};

// The built image, or an empty dir with `why` saying how to build it.
DebianImage find_debian_image(std::string& why);

// A qcow2 overlay over the image's disk in `dir` (the image itself is never written).
std::string make_overlay(const DebianImage& image, const std::string& dir);

// A TCP port on 127.0.0.1 that nothing listens on now.
int free_port();

// Waits until a shell on the console answers what is typed (it prints its prompt before it reads).
bool console_ready(GuestProcess& vm, std::chrono::seconds timeout);

// Types `command` on the console and waits for its exit status; the command's output is in
// vm.output() before the marker. Returns -1 on timeout.
int console_run(GuestProcess& vm, const std::string& command, std::chrono::seconds timeout);

// Runs `command` in the guest over ssh through the hostfwd port; output and exit status.
struct SshResult {
  int status = -1;
  std::string output;
};
SshResult ssh_run(const DebianImage& image, int port, const std::string& user, const std::string& command,
                  std::chrono::seconds timeout);

}  // namespace vessel::test
