/* Guest side of bench/programs: runs one program and prints its wall time from the guest's
 * monotonic clock: "bench-program NAME SECONDS EXIT_STATUS".
 * Usage: timeit NAME PROGRAM [ARGS...] (stdout and stderr of the program pass through). */
#include <stdio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv) {
  if (argc < 3) { fprintf(stderr, "usage: timeit NAME PROGRAM [ARGS...]\n"); return 2; }
  fflush(stdout);
  double start = now();
  pid_t pid = fork();
  if (pid < 0) { perror("timeit: fork"); return 2; }
  if (pid == 0) {
    execv(argv[2], argv + 2);
    perror("timeit: exec");
    _exit(127);
  }
  int status;
  if (waitpid(pid, &status, 0) < 0) { perror("timeit: waitpid"); return 2; }
  double seconds = now() - start;
  int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  printf("bench-program %s %.4f %d\n", argv[1], seconds, code);
  return code;
}
