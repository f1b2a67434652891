/* Guest side of bench/share, cross-built for riscv64 (static): on a 9p mount, sequential write
 * (with fsync) and read of a file in 1 MiB blocks, and a metadata rate (create, stat, unlink
 * of N files), each timed in the guest with CLOCK_MONOTONIC. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int fail(const char* what) {
  perror(what);
  return 1;
}

int main(int argc, char** argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: sharebench DIR MIB FILES\n");
    return 2;
  }
  const char* dir = argv[1];
  const long mib = atol(argv[2]), files = atol(argv[3]);
  static char block[1 << 20];
  for (size_t i = 0; i < sizeof block; ++i) block[i] = (char)(i * 7 + 1);
  char path[4096];
  snprintf(path, sizeof path, "%s/seq", dir);

  double t0 = now();
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) return fail("open for writing");
  for (long i = 0; i < mib; ++i)
    if (write(fd, block, sizeof block) != (ssize_t)sizeof block) return fail("write");
  if (fsync(fd) != 0 || close(fd) != 0) return fail("fsync");
  double t1 = now();
  fd = open(path, O_RDONLY);
  if (fd < 0) return fail("open for reading");
  long got = 0;
  for (ssize_t n; (n = read(fd, block, sizeof block)) > 0;) got += n;
  close(fd);
  double t2 = now();
  if (got != mib << 20) {
    fprintf(stderr, "read %ld bytes, expected %ld\n", got, mib << 20);
    return 1;
  }
  unlink(path);

  snprintf(path, sizeof path, "%s/meta", dir);
  mkdir(path, 0755);
  double t3 = now();
  for (long i = 0; i < files; ++i) {
    snprintf(path, sizeof path, "%s/meta/f%ld", dir, i);
    struct stat st;
    fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
    if (fd < 0 || close(fd) != 0) return fail("create");
    if (stat(path, &st) != 0) return fail("stat");
    if (unlink(path) != 0) return fail("unlink");
  }
  double t4 = now();
  printf("share-write-seconds: %.4f\n", t1 - t0);
  printf("share-read-seconds: %.4f\n", t2 - t1);
  printf("share-meta-seconds: %.4f\n", t4 - t3);
  return 0;
}
