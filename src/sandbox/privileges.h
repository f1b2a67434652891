// Giving up root for good: the bounding set emptied, no supplementary groups, uid and gid
// set (real, effective, saved), no capabilities left, no_new_privs, and the rlimits.
#pragma once
#include "common/result.h"
#include "sandbox/jail_plan.h"

namespace vessel::sandbox {

Result<bool> set_rlimits(const JailOptions& options);
Result<bool> drop_privileges(uid_t uid, gid_t gid);

}  // namespace vessel::sandbox
