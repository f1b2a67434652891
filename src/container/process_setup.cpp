#include "container/process_setup.h"

#include <fcntl.h>
#include <grp.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <sstream>

#include "container/capabilities.h"
#include "container/error.h"
#include "container/seccomp_filter.h"

namespace vessel::container {

namespace {
constexpr const char* kDefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

void set_identity(const UserSpec& user) {
  std::vector<gid_t> groups(user.additional_gids.begin(), user.additional_gids.end());
  // In a user namespace setgroups may be denied; only fail if groups were asked for.
  if (setgroups(groups.size(), groups.data()) != 0 && !groups.empty()) throw_errno("setgroups");
  if (setresgid(user.gid, user.gid, user.gid) != 0) throw_errno("setgid " + std::to_string(user.gid));
  if (setresuid(user.uid, user.uid, user.uid) != 0) throw_errno("setuid " + std::to_string(user.uid));
}

// The profile the next execve enters (what aa_change_onexec does): the kernel refuses a
// profile that is not loaded, and that failure is the container's.
void apply_apparmor_profile(const std::string& profile) {
  const std::string request = "exec " + profile;
  for (const char* path : {"/proc/self/attr/apparmor/exec", "/proc/self/attr/exec"}) {
    const int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) continue;
    const ssize_t n = write(fd, request.data(), request.size());
    const int err = errno;
    close(fd);
    if (n == static_cast<ssize_t>(request.size())) return;
    errno = err;
    throw_errno("apply AppArmor profile " + profile);
  }
  throw_errno("apply AppArmor profile " + profile + ": no /proc/self/attr/exec");
}

void set_oom_score_adj(int value) {
  const int fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
  if (fd < 0) throw_errno("open oom_score_adj");
  const std::string text = std::to_string(value);
  const ssize_t n = write(fd, text.data(), text.size());
  close(fd);
  if (n < 0) throw_errno("write oom_score_adj");
}
}  // namespace

void apply_rlimits(const std::vector<Rlimit>& rlimits) {
  for (const auto& r : rlimits) {
    rlimit lim{static_cast<rlim_t>(r.soft), static_cast<rlim_t>(r.hard)};
    if (setrlimit(static_cast<__rlimit_resource>(r.resource), &lim) != 0) throw_errno("setrlimit " + std::to_string(r.resource));
  }
}

std::string find_program(const std::string& program, const std::vector<std::string>& env) {
  if (program.find('/') != std::string::npos) return program;
  std::string path = kDefaultPath;
  for (const auto& e : env)
    if (e.rfind("PATH=", 0) == 0) path = e.substr(5);
  std::stringstream ss(path);
  std::string dir;
  while (std::getline(ss, dir, ':')) {
    const std::string candidate = (dir.empty() ? "." : dir) + "/" + program;
    struct stat st {};
    if (stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode) && access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return program;
}

int exit_status_from_wait(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 1;
}

void finalize_and_exec(const ProcessSpec& process, const SeccompProgram* seccomp) {
  apply_rlimits(process.rlimits);
  if (process.oom_score_adj) set_oom_score_adj(*process.oom_score_adj);
  const bool cwd_ok = chdir(process.cwd.c_str()) == 0;
  if (!cwd_ok && errno != EACCES) throw_errno("chdir to cwd " + process.cwd);
  if (process.capabilities) drop_bounding_set(*process.capabilities);
  if (process.no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) throw_errno("set no_new_privs");
  // Without no_new_privs, loading a filter needs CAP_SYS_ADMIN: do it before dropping it.
  if (seccomp && !process.no_new_privileges) install_seccomp_program(*seccomp);
  if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0) throw_errno("keep capabilities");
  set_identity(process.user);
  if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) != 0) throw_errno("clear keep capabilities");
  if (process.capabilities) apply_capability_sets(*process.capabilities);
  if (process.user.umask) umask(static_cast<mode_t>(*process.user.umask & 0777));
  if (!cwd_ok && chdir(process.cwd.c_str()) != 0) throw_errno("chdir to cwd " + process.cwd);
  if (seccomp && process.no_new_privileges) install_seccomp_program(*seccomp);

  std::vector<char*> argv, envp;
  for (const auto& a : process.args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  for (const auto& e : process.env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  const std::string program = find_program(process.args[0], process.env);
  if (!process.apparmor_profile.empty()) apply_apparmor_profile(process.apparmor_profile);
  execve(program.c_str(), argv.data(), envp.data());
  throw_errno("exec " + process.args[0]);
}

}  // namespace vessel::container
