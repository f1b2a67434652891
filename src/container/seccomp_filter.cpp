#include "container/seccomp_filter.h"

#include <seccomp.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
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
  if (rc < 0) {
    errno = -rc;
    throw_errno("seccomp: " + what);
  }
}

}  // namespace

void load_seccomp_filter(const SeccompSpec& spec) {
  const uint32_t default_action = action_of(spec.default_action, spec.default_errno_ret);
  std::unique_ptr<void, FilterFree> ctx(seccomp_init(default_action));
  if (!ctx) throw_bad_input("seccomp: cannot initialise a filter with default action " + spec.default_action);
  // Keep the calling thread's no_new_privs as the runtime set it; do not let libseccomp set it.
  check(seccomp_attr_set(ctx.get(), SCMP_FLTATR_CTL_NNP, 0), "disable implicit no_new_privs");
  for (const auto& flag : spec.flags) {
    if (flag == "SECCOMP_FILTER_FLAG_LOG") check(seccomp_attr_set(ctx.get(), SCMP_FLTATR_CTL_LOG, 1), flag);
    else if (flag == "SECCOMP_FILTER_FLAG_SPEC_ALLOW") check(seccomp_attr_set(ctx.get(), SCMP_FLTATR_CTL_SSB, 1), flag);
    else if (flag != "SECCOMP_FILTER_FLAG_TSYNC") throw_bad_input("seccomp: unsupported flag " + flag);
  }
  for (const auto& arch : spec.architectures) {
    const int rc = seccomp_arch_add(ctx.get(), arch_of(arch));
    if (rc != 0 && rc != -EEXIST) check(rc, "add architecture " + arch);
  }
  for (const auto& rule : spec.syscalls) {
    const uint32_t action = action_of(rule.action, rule.errno_ret);
    if (action == default_action) continue;  // libseccomp rejects rules that repeat the default
    std::vector<scmp_arg_cmp> comparisons;
    for (const auto& a : rule.args) {
      scmp_arg_cmp cmp{};
      cmp.arg = a.index;
      cmp.op = compare_of(a.op);
      cmp.datum_a = a.value;
      cmp.datum_b = a.value_two;
      comparisons.push_back(cmp);
    }
    for (const auto& name : rule.names) {
      const int nr = seccomp_syscall_resolve_name(name.c_str());
      if (nr == __NR_SCMP_ERROR) continue;  // a syscall this libseccomp (or arch) does not know
      const int rc = seccomp_rule_add_array(ctx.get(), action, nr, static_cast<unsigned>(comparisons.size()),
                                            comparisons.empty() ? nullptr : comparisons.data());
      if (rc == -EDOM || rc == -EOPNOTSUPP) continue;  // not representable on some added architecture
      check(rc, "add rule for " + name);
    }
  }
  check(seccomp_load(ctx.get()), "load filter");
}

}  // namespace vessel::container
