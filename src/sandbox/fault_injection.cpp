#include "sandbox/fault_injection.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

namespace vessel::sandbox {

#ifdef VESSEL_FAULT_INJECTION
bool fault_injection_built() { return true; }

void inject_fault(ThreadKind kind) {
  const char* what = getenv("VESSEL_FAULT_INJECT");
  if (!what || strncmp(what, "vcpu:", 5) != 0 || kind != ThreadKind::Vcpu) return;
  const char* call = what + 5;
  if (strcmp(call, "openat") == 0) {
    (void)!openat(AT_FDCWD, "/etc/passwd", O_RDONLY | O_CLOEXEC);
  } else if (strcmp(call, "execve") == 0) {
    char* const argv[] = {const_cast<char*>("/bin/sh"), nullptr};
    (void)!execve("/bin/sh", argv, environ);
  } else if (strcmp(call, "socket") == 0) {
    (void)!socket(AF_INET, SOCK_STREAM, 0);
  }
}
#else
bool fault_injection_built() { return false; }
void inject_fault(ThreadKind) {}
#endif

}  // namespace vessel::sandbox
