#include "sandbox/privileges.h"

#include <grp.h>
#include <linux/capability.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace vessel::sandbox {
namespace {

Error failed(const std::string& what) { return Error{"--sandbox: " + what + ": " + strerror(errno)}; }

}  // namespace

Result<bool> set_rlimits(const JailOptions& options) {
  const rlimit files{options.max_open_files, options.max_open_files};
  if (setrlimit(RLIMIT_NOFILE, &files) != 0) return failed("RLIMIT_NOFILE");
  const rlimit no_core{0, 0};
  if (setrlimit(RLIMIT_CORE, &no_core) != 0) return failed("RLIMIT_CORE");
  if (options.address_space_bytes) {
    const rlimit as{options.address_space_bytes, options.address_space_bytes};
    if (setrlimit(RLIMIT_AS, &as) != 0) return failed("RLIMIT_AS");
  }
  return true;
}

Result<bool> drop_privileges(uid_t uid, gid_t gid) {
  if (uid == 0 || gid == 0) return Error{"--sandbox: the jail's uid and gid must not be 0"};
  for (int cap = 0; cap <= CAP_LAST_CAP; ++cap)
    if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 && errno != EINVAL) return failed("PR_CAPBSET_DROP");
  if (setgroups(0, nullptr) != 0) return failed("setgroups");
  if (setresgid(gid, gid, gid) != 0) return failed("setresgid");
  if (setresuid(uid, uid, uid) != 0) return failed("setresuid");
  // setresuid from 0 clears the permitted and effective sets; clear the rest explicitly.
  cap_t none = cap_init();
  if (!none) return failed("cap_init");
  const int rc = cap_set_proc(none);
  cap_free(none);
  if (rc != 0) return failed("cap_set_proc");
  if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL) return failed("ambient caps");
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return failed("no_new_privs");
  return true;
}

}  // namespace vessel::sandbox
