#include "sandbox_options.h"

#include <unistd.h>

#include <cstdio>
#include <filesystem>

#include "commands.h"
#include "common/size.h"
#include "sandbox/jail.h"
#include "sandbox/syscall_filter.h"
#include "sandbox/vm_jail_plan.h"

namespace vessel::cli {
namespace {

void make_absolute(std::string& path) {
  if (!path.empty() && path[0] != '/') path = std::filesystem::absolute(path).lexically_normal().string();
}

}  // namespace

void add_sandbox_options(CLI::App& app, SandboxOptions& o) {
  app.add_flag("--sandbox", o.enabled,
               "run jailed: own mount, pid and IPC namespaces, a root holding only this VM's files, an "
               "unprivileged uid, no capabilities, rlimits, seccomp allow-lists per thread (needs root)");
  app.add_option("--sandbox-uid", o.uid, "--sandbox: uid of the jailed VMM (default: 200000 + pid % 65536)")
      ->check(CLI::Range(1L, 4294967294L));
  app.add_option("--sandbox-gid", o.gid, "--sandbox: gid of the jailed VMM (default: its uid)")
      ->check(CLI::Range(1L, 4294967294L));
  app.add_option("--sandbox-root", o.root, "--sandbox: empty directory the jail's root is mounted on");
  app.add_option("--sandbox-bind", o.binds,
                 "--sandbox: also bind PATH (read-only, or PATH:rw) into the jail, e.g. a directory for snapshots "
                 "(repeatable)");
  app.add_option("--sandbox-max-files", o.max_files, "--sandbox: RLIMIT_NOFILE (default 1024)")
      ->check(CLI::Range(64, 1 << 20));
  app.add_option("--sandbox-memory-limit", o.memory_limit,
                 "--sandbox: RLIMIT_AS of the VMM (default: twice the guest memory + 8G)");
  app.add_option("--sandbox-cgroup", o.cgroup,
                 "--sandbox: a cgroup directory to create and run the VMM in (v2, or a v1 memory hierarchy); its "
                 "memory limit is the guest memory + 1G");
}

int enter_sandbox(const SandboxOptions& o, vmm::VmConfig& config, std::vector<std::string> sockets) {
  for (std::string* p : {&config.kernel, &config.initrd, &config.bios, &config.restore_from, &config.dump_dtb})
    make_absolute(*p);
  for (auto& d : config.drives) make_absolute(d.file);
  if (config.vsock) make_absolute(config.vsock->uds);
  for (auto& s : config.shares) make_absolute(s.path);
  for (auto& s : sockets) make_absolute(s);
  sandbox::JailOptions options;
  options.mount_point = o.root;
  options.uid = static_cast<uid_t>(o.uid > 0 ? o.uid : 200000 + getpid() % 65536);
  options.gid = static_cast<gid_t>(o.gid > 0 ? o.gid : options.uid);
  options.max_open_files = o.max_files;
  uint64_t limit = 2 * config.memory_bytes + (8ull << 30);
  if (!o.memory_limit.empty()) {
    const auto parsed = parse_size(o.memory_limit);
    if (!parsed || *parsed < (64ull << 20)) {
      fprintf(stderr, "vessel run: invalid --sandbox-memory-limit '%s'\n", o.memory_limit.c_str());
      return kExitUsage;
    }
    limit = *parsed;
  }
  options.address_space_bytes = limit;
  options.cgroup = o.cgroup;
  options.cgroup_memory_max = o.cgroup.empty() ? 0 : config.memory_bytes + (1ull << 30);
  auto plan = sandbox::plan_vm_jail(config, sandbox::VmSockets{sockets}, o.binds, options);
  if (!plan) {
    fprintf(stderr, "vessel run: %s\n", plan.error().c_str());
    return kExitUsage;
  }
  if (auto ok = sandbox::enter_jail(plan.value()); !ok) {
    fprintf(stderr, "vessel run: %s\n", ok.error().c_str());
    return kExitUsage;
  }
  if (auto ok = sandbox::install_syscall_filters(); !ok) {
    fprintf(stderr, "vessel run: %s\n", ok.error().c_str());
    return kExitFailure;
  }
  fprintf(stderr, "vessel run: jailed (uid %u, gid %u, root %s)\n", options.uid, options.gid, o.root.c_str());
  return kExitOk;
}

}  // namespace vessel::cli
