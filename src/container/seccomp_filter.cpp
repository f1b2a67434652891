#include "container/seccomp_filter.h"

#include <linux/seccomp.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <map>
#include <memory>

#include "container/error.h"

namespace vessel::container {

namespace {

struct FilterFree {
  void operator()(void* ctx) const { seccomp_release(ctx); }
};

uint32_t action_of(const std::string& name, std::optional<uint32_t> errno_ret) {
  if (name == "SCMP_ACT_ALLOW") return SCMP_ACT_ALLOW;
  if (name == "SCMP_ACT_ERRNO") return SCMP_ACT_ERRNO(errno_ret.value_or(EPERM));
  if (name == "SCMP_ACT_KILL" || name == "SCMP_ACT_KILL_THREAD") return SCMP_ACT_KILL_THREAD;
  if (name == "SCMP_ACT_KILL_PROCESS") return SCMP_ACT_KILL_PROCESS;
  if (name == "SCMP_ACT_TRAP") return SCMP_ACT_TRAP;
  if (name == "SCMP_ACT_TRACE") return SCMP_ACT_TRACE(errno_ret.value_or(EPERM));
  if (name == "SCMP_ACT_LOG") return SCMP_ACT_LOG;
  if (name == "SCMP_ACT_NOTIFY") return SCMP_ACT_NOTIFY;
  throw_bad_input("seccomp: unsupported action " + name);
}

scmp_compare compare_of(const std::string& op) {
  if (op == "SCMP_CMP_NE") return SCMP_CMP_NE;
  if (op == "SCMP_CMP_LT") return SCMP_CMP_LT;
  if (op == "SCMP_CMP_LE") return SCMP_CMP_LE;
  if (op == "SCMP_CMP_EQ") return SCMP_CMP_EQ;
  if (op == "SCMP_CMP_GE") return SCMP_CMP_GE;
  if (op == "SCMP_CMP_GT") return SCMP_CMP_GT;
  if (op == "SCMP_CMP_MASKED_EQ") return SCMP_CMP_MASKED_EQ;
  throw_bad_input("seccomp: unknown operator " + op);
}

uint32_t arch_of(const std::string& name) {
  std::string lower = name.rfind("SCMP_ARCH_", 0) == 0 ? name.substr(10) : name;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  const uint32_t arch = seccomp_arch_resolve_name(lower.c_str());
  if (arch == 0) throw_bad_input("seccomp: unknown architecture " + name);
  return arch;
}

void check(int rc, const std::string& what) {
  if (rc < 0) throw_bad_input("seccomp: " + what + ": " + strerror(-rc));
}

scmp_arg_cmp comparison_of(const SeccompArg& a) {
  scmp_arg_cmp cmp{};
  cmp.arg = a.index;
  cmp.op = compare_of(a.op);
  cmp.datum_a = a.value;
  cmp.datum_b = a.value_two;
  return cmp;
}

// libseccomp ANDs the comparisons of one rule and refuses two on the same argument. Profiles
// (runtime-tools', for personality) mean "any of these values" there: as runc does, such a
// rule becomes one rule per comparison.
std::vector<std::vector<scmp_arg_cmp>> rule_variants(const SeccompRule& rule) {
  std::map<unsigned, int> per_argument;
  bool repeated = false;
  for (const auto& a : rule.args) repeated |= ++per_argument[a.index] > 1;
  std::vector<std::vector<scmp_arg_cmp>> out;
  if (repeated) {
    for (const auto& a : rule.args) out.push_back({comparison_of(a)});
  } else {
    out.emplace_back();
    for (const auto& a : rule.args) out.back().push_back(comparison_of(a));
  }
  return out;
}

// Linux 5.19; older headers lack it. Kept only with a listener (the kernel refuses it alone).
constexpr unsigned kWaitKillableRecv = 1u << 5;

unsigned filter_flags(const SeccompSpec& spec) {
  unsigned flags = 0;
  for (const auto& flag : spec.flags) {
    if (flag == "SECCOMP_FILTER_FLAG_LOG") flags |= SECCOMP_FILTER_FLAG_LOG;
    else if (flag == "SECCOMP_FILTER_FLAG_SPEC_ALLOW") flags |= SECCOMP_FILTER_FLAG_SPEC_ALLOW;
    else if (flag == "SECCOMP_FILTER_FLAG_TSYNC") flags |= SECCOMP_FILTER_FLAG_TSYNC;
    else if (flag == "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV") flags |= kWaitKillableRecv;
    else throw_bad_input("seccomp: unsupported flag " + flag);
  }
  return flags;
}

std::vector<sock_filter> export_bpf(void* ctx) {
  const int fd = memfd_create("seccomp-bpf", MFD_CLOEXEC);
  if (fd < 0) throw_errno("memfd_create");
  std::vector<sock_filter> out;
  const int rc = seccomp_export_bpf(ctx, fd);
  struct stat st {};
  if (rc == 0 && fstat(fd, &st) == 0 && st.st_size % sizeof(sock_filter) == 0) {
    out.resize(static_cast<size_t>(st.st_size) / sizeof(sock_filter));
    if (pread(fd, out.data(), static_cast<size_t>(st.st_size), 0) != st.st_size) out.clear();
  }
  close(fd);
  if (rc < 0) check(rc, "export filter");
  if (out.empty()) throw Error(ErrorKind::System, "seccomp: the exported filter is empty");
  return out;
}

}  // namespace

SeccompProgram compile_seccomp_filter(const SeccompSpec& spec) {
  SeccompProgram program;
  program.flags = filter_flags(spec);
  program.notify = spec.default_action == "SCMP_ACT_NOTIFY" ||
                   std::any_of(spec.syscalls.begin(), spec.syscalls.end(),
                               [](const SeccompRule& r) { return r.action == "SCMP_ACT_NOTIFY"; });
  if (program.notify) program.flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
  else program.flags &= ~kWaitKillableRecv;
  const uint32_t default_action = action_of(spec.default_action, spec.default_errno_ret);
  std::unique_ptr<void, FilterFree> ctx(seccomp_init(default_action));
  if (!ctx) throw_bad_input("seccomp: cannot initialise a filter with default action " + spec.default_action);
  for (const auto& arch : spec.architectures) {
    const int rc = seccomp_arch_add(ctx.get(), arch_of(arch));
    if (rc != 0 && rc != -EEXIST) check(rc, "add architecture " + arch);
  }
  for (const auto& rule : spec.syscalls) {
    const uint32_t action = action_of(rule.action, rule.errno_ret);
    if (action == default_action) continue;  // libseccomp rejects rules that repeat the default
    const auto variants = rule_variants(rule);
    for (const auto& name : rule.names) {
      const int nr = seccomp_syscall_resolve_name(name.c_str());
      if (nr == __NR_SCMP_ERROR) continue;  // a syscall this libseccomp (or arch) does not know
      for (const auto& cmps : variants) {
        const int rc = seccomp_rule_add_array(ctx.get(), action, nr, static_cast<unsigned>(cmps.size()),
                                              cmps.empty() ? nullptr : cmps.data());
        if (rc == -EDOM || rc == -EOPNOTSUPP) continue;  // not representable on some added architecture
        check(rc, "add rule for " + name);
      }
    }
  }
  program.instructions = export_bpf(ctx.get());
  return program;
}

int install_seccomp_program(const SeccompProgram& program) {
  sock_fprog prog{};
  prog.len = static_cast<unsigned short>(program.instructions.size());
  prog.filter = const_cast<sock_filter*>(program.instructions.data());
  if (program.instructions.size() > 0xffff) throw_bad_input("seccomp: filter too long");
  const long rc = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, program.flags, &prog);
  if (rc < 0) throw_errno("seccomp: load filter");
  return program.notify ? static_cast<int>(rc) : -1;
}

}  // namespace vessel::container
