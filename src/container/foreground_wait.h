// Waiting for a container process in the foreground (`run`, `exec` without --detach) while
// forwarding the signals a user sends to the runtime on to that process.
#pragma once
#include <sys/types.h>

namespace vessel::container {

// Blocks the forwarded signals; call before forking the process to wait for, so no signal is
// lost in between. Children must restore the mask (sanitize_inherited_state does).
void block_forwarded_signals();
// Waits for `pid` (a child or, with the runtime as subreaper, an adopted grandchild), forwarding
// SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 and SIGWINCH. With a pty `master`, relays
// it to the runtime's stdin/stdout (stdin in raw mode when it is a terminal; SIGWINCH resizes
// the pty). Returns the wait status.
int wait_forwarding_signals(pid_t pid, int master = -1);

}  // namespace vessel::container
