// TLB shootdown storm for the SMP stress tests (tests/boot/smp_stress_test.cpp), run inside the
// test guest. Worker threads map, fill, mprotect and unmap memory; forker threads fork children
// that check copy-on-write memory and exec this program again. Each of these changes a mapping
// other harts may hold in their TLBs, so the kernel sends SBI remote fences from every hart to
// every other.
//
//   tlb-storm WORKERS FORKERS TICK    prints STORM-START, then STORM-TICK <n> each time worker 0
//                                     finished TICK more rounds; stops after a line on stdin and
//                                     prints STORM-DONE with the counts; exit 0 if all checks held
//   tlb-storm --child                 exits 42 (proves the exec happened)
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

enum { kPage = 4096, kPages = 8, kCowPages = 16, kChildStatus = 42 };

static atomic_bool stop;
static atomic_long rounds, mprotects, munmaps, faults, forks, failures;
static long tick;
static __thread sigjmp_buf fault_jump;

static void fail(const char* what) {
  atomic_fetch_add(&failures, 1);
  fprintf(stderr, "STORM-FAIL %s\n", what);
}

static void on_segv(int sig) {
  (void)sig;
  siglongjmp(fault_jump, 1);
}

// A write to read-only memory must fault: a stale writable TLB entry would let it through.
static int write_faults(volatile char* p) {
  if (sigsetjmp(fault_jump, 1)) return 1;
  *p = 1;
  return 0;
}

static void fill(char* p, unsigned pages, char tag) {
  for (unsigned i = 0; i < pages; ++i) memset(p + i * kPage, tag + (char)i, 64);
}

static int holds(const char* p, unsigned pages, char tag) {
  for (unsigned i = 0; i < pages; ++i)
    for (unsigned j = 0; j < 64; ++j)
      if (p[i * kPage + j] != (char)(tag + (char)i)) return 0;
  return 1;
}

static void worker_round(long id, long n) {
  const char tag = (char)(id * 16 + n);
  char* p = mmap(NULL, kPages * kPage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) return fail("mmap");
  fill(p, kPages, tag);
  if (mprotect(p, kPages * kPage, PROT_READ) != 0) return fail("mprotect ro");
  if (!holds(p, kPages, tag)) fail("data after mprotect ro");
  if (write_faults(p)) atomic_fetch_add(&faults, 1);
  else fail("write to read-only page did not fault");
  if (mprotect(p, kPages * kPage, PROT_READ | PROT_WRITE) != 0) return fail("mprotect rw");
  atomic_fetch_add(&mprotects, 2);
  fill(p, kPages, (char)(tag + 1));
  if (munmap(p + kPages / 2 * kPage, kPages / 2 * kPage) != 0) fail("munmap half");
  if (!holds(p, kPages / 2, (char)(tag + 1))) fail("data after partial munmap");
  if (munmap(p, kPages / 2 * kPage) != 0) fail("munmap");
  atomic_fetch_add(&munmaps, 2);
}

static void* worker(void* arg) {
  const long id = (long)arg;
  for (long n = 1; !atomic_load(&stop); ++n) {
    worker_round(id, n);
    atomic_fetch_add(&rounds, 1);
    if (id == 0 && n % tick == 0) printf("STORM-TICK %ld\n", n / tick), fflush(stdout);
  }
  return NULL;
}

// The child sees the parent's memory as it was at fork, changes its copy, then execs.
static void forker_round(char* cow, long n) {
  const char tag = (char)n;
  fill(cow, kCowPages, tag);
  const pid_t pid = fork();
  if (pid == 0) {
    if (!holds(cow, kCowPages, tag)) _exit(3);
    fill(cow, kCowPages, (char)(tag + 7));
    if (!holds(cow, kCowPages, (char)(tag + 7))) _exit(4);
    execl("/proc/self/exe", "tlb-storm", "--child", (char*)NULL);
    _exit(5);
  }
  if (pid < 0) return fail("fork");
  int status = 0;
  if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != kChildStatus)
    fail("child did not exec and exit 42");
  if (!holds(cow, kCowPages, tag)) fail("parent memory changed by the child");
  atomic_fetch_add(&forks, 1);
}

static void* forker(void* arg) {
  (void)arg;
  static _Thread_local char cow[kCowPages * kPage];  // this forker's own copy-on-write pages
  for (long n = 1; !atomic_load(&stop); ++n) forker_round(cow, n);
  return NULL;
}

int main(int argc, char** argv) {
  if (argc == 2 && strcmp(argv[1], "--child") == 0) return kChildStatus;
  if (argc != 4) {
    fprintf(stderr, "usage: tlb-storm WORKERS FORKERS TICK\n");
    return 2;
  }
  const long workers = atol(argv[1]), forkers = atol(argv[2]);
  tick = atol(argv[3]);
  if (workers < 1 || forkers < 0 || tick < 1 || workers + forkers > 64) return 2;
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_segv;
  sigaction(SIGSEGV, &sa, NULL);
  pthread_t threads[64];
  for (long i = 0; i < workers; ++i) pthread_create(&threads[i], NULL, worker, (void*)i);
  for (long i = 0; i < forkers; ++i) pthread_create(&threads[workers + i], NULL, forker, NULL);
  printf("STORM-START workers=%ld forkers=%ld\n", workers, forkers);
  fflush(stdout);
  char line[64];
  (void)!fgets(line, sizeof line, stdin);  // the test's go-ahead to stop (or end of input)
  atomic_store(&stop, 1);
  for (long i = 0; i < workers + forkers; ++i) pthread_join(threads[i], NULL);
  printf("STORM-DONE rounds=%ld mprotect=%ld munmap=%ld faults=%ld forks=%ld failures=%ld\n",
         atomic_load(&rounds), atomic_load(&mprotects), atomic_load(&munmaps), atomic_load(&faults),
         atomic_load(&forks), atomic_load(&failures));
  return atomic_load(&failures) == 0 ? 0 : 1;
}
