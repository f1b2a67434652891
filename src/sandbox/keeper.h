// The jail's keeper: the process outside the pid namespace, the one vesseld (or the shell)
// started and knows. It relays SIGTERM, SIGINT and SIGHUP to the jailed VMM (which stops
// cleanly on them), answers any other fatal signal by killing the VMM and dying of the same
// signal (the init of a pid namespace ignores signals it has no handler for), and exits as
// the VMM did: the same exit status, or the same signal. The VMM dies with it
// (PR_SET_PDEATHSIG), so SIGKILL to the keeper ends both.
#pragma once
#include <sys/types.h>

namespace vessel::sandbox {

[[noreturn]] void run_keeper(pid_t vmm);

}  // namespace vessel::sandbox
