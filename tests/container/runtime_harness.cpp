#include "runtime_harness.h"

#include <elf.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <utility>

#include "container/cgroup.h"
#include "container/default_spec.h"
#include "container/process_setup.h"
#include "container/state_store.h"

extern char** environ;

namespace vessel::container::testing {

namespace {

constexpr const char* kBusybox = "/bin/busybox";

// busybox-static has no program interpreter; the dynamically linked busybox would not run
// inside a root filesystem without its libraries.
bool is_static_elf(const char* path) {
  std::ifstream in(path, std::ios::binary);
  Elf64_Ehdr eh{};
  if (!in.read(reinterpret_cast<char*>(&eh), sizeof eh) || memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0) return false;
  for (int i = 0; i < eh.e_phnum; ++i) {
    Elf64_Phdr ph{};
    in.seekg(static_cast<std::streamoff>(eh.e_phoff + static_cast<uint64_t>(i) * eh.e_phentsize));
    if (!in.read(reinterpret_cast<char*>(&ph), sizeof ph)) return false;
    if (ph.p_type == PT_INTERP) return false;
  }
  return true;
}

pid_t spawn(const std::vector<std::string>& argv, int out_fd, int err_fd) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out_fd, 1);
  posix_spawn_file_actions_adddup2(&actions, err_fd, 2);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  if (posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ) != 0) pid = -1;
  posix_spawn_file_actions_destroy(&actions);
  return pid;
}

void write_text(const std::string& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
}

}  // namespace

CommandResult run_process(const std::vector<std::string>& argv) {
  // Output goes to memory files, not pipes: after `create` the container keeps the runtime's
  // stdout and stderr, so waiting for EOF on a pipe would wait for the container.
  CommandResult result;
  const int out = memfd_create("stdout", MFD_CLOEXEC);
  const int err = memfd_create("stderr", MFD_CLOEXEC);
  const pid_t pid = spawn(argv, out, err);
  int status = 0;
  if (pid > 0 && waitpid(pid, &status, 0) == pid) result.status = exit_status_from_wait(status);
  for (auto [fd, text] : {std::pair{out, &result.out}, std::pair{err, &result.err}}) {
    char buf[4096];
    ssize_t n;
    off_t offset = 0;
    while ((n = pread(fd, buf, sizeof buf, offset)) > 0) {
      text->append(buf, static_cast<size_t>(n));
      offset += n;
    }
    close(fd);
  }
  return result;
}

BackgroundProcess::BackgroundProcess(const std::vector<std::string>& argv) {
  int out[2];
  if (pipe2(out, O_CLOEXEC) != 0) return;
  const int null_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
  pid_ = spawn(argv, out[1], null_fd);
  close(out[1]);
  close(null_fd);
  out_ = out[0];
}

BackgroundProcess::~BackgroundProcess() {
  if (pid_ > 0 && !waited_) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  if (out_ >= 0) close(out_);
}

std::string BackgroundProcess::read_line() {
  for (;;) {
    const auto nl = buffer_.find('\n');
    if (nl != std::string::npos) {
      std::string line = buffer_.substr(0, nl);
      buffer_.erase(0, nl + 1);
      return line;
    }
    char buf[512];
    const ssize_t n = read(out_, buf, sizeof buf);
    if (n <= 0) return std::exchange(buffer_, "");
    buffer_.append(buf, static_cast<size_t>(n));
  }
}

int BackgroundProcess::wait() {
  int status = 0;
  waitpid(pid_, &status, 0);
  waited_ = true;
  return exit_status_from_wait(status);
}

bool wait_for_exit(pid_t pid, int timeout_ms) {
  const int fd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
  if (fd < 0) return true;  // already gone
  pollfd p{fd, POLLIN, 0};
  const bool exited = poll(&p, 1, timeout_ms) == 1;
  close(fd);
  return exited;
}

void ContainerTest::SetUp() {
  if (geteuid() != 0) GTEST_SKIP() << "container integration tests need root (namespaces, cgroups, mounts)";
  if (access(kBusybox, X_OK) != 0 || !is_static_elf(kBusybox))
    GTEST_SKIP() << "needs the statically linked /bin/busybox (Debian package busybox-static)";
  char tmpl[] = "/tmp/vessel-ct-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  tmp_ = tmpl;
  chmod(tmp_.c_str(), 0755);  // containers with a user namespace must be able to reach the rootfs
  state_root_ = tmp_ + "/state";
  rootfs_ = tmp_ + "/rootfs";
  for (const char* d : {"", "/bin", "/proc", "/sys", "/dev", "/tmp", "/etc"}) mkdir((rootfs_ + d).c_str(), 0755);
  const auto copy = run_process({"/bin/cp", kBusybox, rootfs_ + "/bin/busybox"});
  ASSERT_EQ(copy.status, 0) << copy.err;
  const auto list = run_process({kBusybox, "--list"});
  std::stringstream applets(list.out);
  std::string applet;
  while (applets >> applet)
    if (applet != "busybox") symlink("busybox", (rootfs_ + "/bin/" + applet).c_str());
  write_text(rootfs_ + "/etc/passwd", "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/sh\n");
}

void ContainerTest::TearDown() {
  if (tmp_.empty()) return;
  // Whatever a test left behind is deleted the way a user would: through the runtime.
  const auto ids = runtime({"list", "-q"});
  std::stringstream ss(ids.out);
  std::string id;
  while (ss >> id) runtime({"delete", "--force", id});
  remove_tree(tmp_);
}

std::vector<std::string> ContainerTest::runtime_argv(const std::vector<std::string>& args) const {
  std::vector<std::string> argv = {VESSEL_RUNC_PATH, "--root", state_root_};
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

CommandResult ContainerTest::runtime(const std::vector<std::string>& args) const { return run_process(runtime_argv(args)); }

nlohmann::json ContainerTest::config_for(const std::vector<std::string>& args) const {
  nlohmann::json config = default_spec(args, rootfs_);
  config["mounts"].push_back({{"destination", "/tmp"}, {"type", "tmpfs"}, {"source", "tmpfs"}, {"options", {"nosuid", "nodev"}}});
  return config;
}

std::string ContainerTest::bundle_with(const nlohmann::json& config) {
  const std::string dir = tmp_ + "/bundle" + std::to_string(bundles_++);
  mkdir(dir.c_str(), 0755);
  write_text(dir + "/config.json", config.dump(2));
  return dir;
}

CommandResult ContainerTest::run_container(const nlohmann::json& config, const std::string& id) {
  const std::string name = id.empty() ? "run" + std::to_string(bundles_) : id;
  return runtime({"run", "--bundle", bundle_with(config), name});
}

pid_t ContainerTest::start_container(const std::string& id, const nlohmann::json& config) {
  const auto created = runtime({"create", "--bundle", bundle_with(config), id});
  EXPECT_EQ(created.status, 0) << created.err;
  const auto started = runtime({"start", id});
  EXPECT_EQ(started.status, 0) << started.err;
  return state(id).value("pid", 0);
}

std::string ContainerTest::cgroup_of(const std::string& id) const { return cgroup_path_for("", id, false, state_root_); }

nlohmann::json ContainerTest::state(const std::string& id) const {
  const auto r = runtime({"state", id});
  auto j = nlohmann::json::parse(r.out, nullptr, false);
  return j.is_discarded() ? nlohmann::json::object() : j;
}

}  // namespace vessel::container::testing
