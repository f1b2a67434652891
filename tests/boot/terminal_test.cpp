// The console on a real terminal (a pseudo-terminal here): raw mode while the guest runs,
// Ctrl-A x quits, and the terminal's settings are restored afterwards.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <pty.h>
#include <sys/ioctl.h>
#include <signal.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <chrono>
#include <string>

#include "support/guest_process.h"

namespace vessel::test {
namespace {

class Terminal : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = guest_dir();
    ASSERT_FALSE(dir_.empty());
    termios t{};
    cfmakeraw(&t);
    t.c_lflag |= ICANON | ECHO | ISIG;  // a cooked terminal, as a shell leaves it
    t.c_iflag |= ICRNL;
    t.c_oflag |= OPOST | ONLCR;
    ASSERT_EQ(openpty(&master_, &slave_, nullptr, &t, nullptr), 0);
    tcgetattr(slave_, &before_);
  }
  void TearDown() override {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    close(master_);
    close(slave_);
  }
  void start(const std::string& append) {
    pid_ = fork();
    ASSERT_GE(pid_, 0);
    if (pid_ == 0) {
      setsid();
      ioctl(slave_, TIOCSCTTY, 0);
      dup2(slave_, 0);
      dup2(slave_, 1);
      dup2(slave_, 2);
      const std::string bin = vessel_bin();
      execl(bin.c_str(), bin.c_str(), "run", "--kernel", (dir_ + "/Image").c_str(), "--initrd",
            (dir_ + "/initramfs.cpio.gz").c_str(), "--append", append.c_str(), nullptr);
      _exit(127);
    }
  }
  bool expect(const std::string& text, std::chrono::seconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (output_.find(text) == std::string::npos) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return false;
      pollfd p{master_, POLLIN, 0};
      if (poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
      char buf[4096];
      const ssize_t n = read(master_, buf, sizeof buf);
      if (n <= 0) return false;
      output_.append(buf, static_cast<size_t>(n));
    }
    return true;
  }
  int wait_exit() {
    int st = 0;
    for (int i = 0; i < 600; ++i) {  // up to 60 s, draining output so the child never blocks
      if (waitpid(pid_, &st, WNOHANG) == pid_) {
        pid_ = -1;
        return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
      }
      pollfd p{master_, POLLIN, 0};
      if (poll(&p, 1, 100) == 1 && (p.revents & POLLIN)) {
        char buf[4096];
        const ssize_t n = read(master_, buf, sizeof buf);
        if (n > 0) output_.append(buf, static_cast<size_t>(n));
      }
    }
    return -1;
  }

  std::string dir_, output_;
  int master_ = -1, slave_ = -1;
  pid_t pid_ = -1;
  termios before_{};
};

TEST_F(Terminal, RawModeWhileRunningCtrlAXQuitsAndRestores) {
  start("console=ttyS0 quiet");
  ASSERT_TRUE(expect("VESSEL-GUEST-READY", std::chrono::seconds(120))) << output_;
  termios during{};
  tcgetattr(slave_, &during);
  EXPECT_FALSE(during.c_lflag & ICANON) << "terminal not in raw mode while the guest runs";
  EXPECT_FALSE(during.c_lflag & ISIG);
  // Ctrl-C belongs to the guest in raw mode; Ctrl-A Ctrl-A sends one Ctrl-A; Ctrl-A x quits.
  ASSERT_EQ(write(master_, "\x01x", 2), 2);
  EXPECT_EQ(wait_exit(), 0) << output_;
  termios after{};
  tcgetattr(slave_, &after);
  EXPECT_EQ(after.c_lflag, before_.c_lflag);
  EXPECT_EQ(after.c_iflag, before_.c_iflag);
  EXPECT_EQ(after.c_oflag, before_.c_oflag);
}

TEST_F(Terminal, RestoredAfterSigterm) {
  start("console=ttyS0 quiet");
  ASSERT_TRUE(expect("VESSEL-GUEST-READY", std::chrono::seconds(120))) << output_;
  kill(pid_, SIGTERM);
  EXPECT_EQ(wait_exit(), 128 + SIGTERM) << output_;
  termios after{};
  tcgetattr(slave_, &after);
  EXPECT_EQ(after.c_lflag, before_.c_lflag);
}

TEST_F(Terminal, GuestPoweroffRestores) {
  start("console=ttyS0 quiet");
  ASSERT_TRUE(expect("VESSEL-GUEST-READY", std::chrono::seconds(120))) << output_;
  ASSERT_TRUE(expect("# ", std::chrono::seconds(60))) << output_;
  const char cmd[] = "poweroff -f\r";  // Enter on a raw terminal is a carriage return
  ASSERT_EQ(write(master_, cmd, sizeof cmd - 1), static_cast<ssize_t>(sizeof cmd - 1));
  EXPECT_EQ(wait_exit(), 0) << output_;
  termios after{};
  tcgetattr(slave_, &after);
  EXPECT_EQ(after.c_lflag, before_.c_lflag);
}

}  // namespace
}  // namespace vessel::test
