/* Guest side of the share tests, cross-built for riscv64 (static): file operations on the 9p
 * mount whose exact errno matters, and mmap, which busybox has no tool for. Each command
 * prints one line, "probe CMD ok ..." or "probe CMD errno=NAME", and exits 0 either way:
 * the host test judges the line. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* Must match pattern_byte() in share_guest_test.cpp. */
static unsigned char pattern_byte(unsigned long i) { return (unsigned char)((i ^ (i >> 8) ^ (i >> 16)) * 13u + 5u); }

static const char* errno_name(int e) {
  switch (e) {
    case EROFS: return "EROFS";
    case ENOENT: return "ENOENT";
    case EXDEV: return "EXDEV";
    case ELOOP: return "ELOOP";
    case EACCES: return "EACCES";
    case EPERM: return "EPERM";
    case EEXIST: return "EEXIST";
    case EINVAL: return "EINVAL";
    case ENOTDIR: return "ENOTDIR";
    case EISDIR: return "EISDIR";
    case ENODEV: return "ENODEV";
    default: return "other";
  }
}

static int result(const char* cmd, const char* path, int rc) {
  if (rc == 0)
    printf("probe %s %s ok\n", cmd, path);
  else
    printf("probe %s %s errno=%s (%d)\n", cmd, path, errno_name(errno), errno);
  return 0;
}

/* Reads the file through a private read-only mapping and through read(): they must agree
 * and hold the pattern. */
static int mmap_read(const char* path) {
  int fd = open(path, O_RDONLY);
  struct stat st;
  if (fd < 0 || fstat(fd, &st) != 0 || st.st_size == 0) return result("mmap-read", path, -1);
  unsigned char* m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
  if (m == MAP_FAILED) return result("mmap-read", path, -1);
  for (off_t i = 0; i < st.st_size; ++i)
    if (m[i] != pattern_byte((unsigned long)i)) {
      printf("probe mmap-read %s mismatch at %ld\n", path, (long)i);
      return 0;
    }
  printf("probe mmap-read %s ok %ld\n", path, (long)st.st_size);
  return 0;
}

/* Creates the file, sizes it and fills it through a shared writable mapping (needs a mount
 * with cache=mmap or loose: v9fs maps uncached files read-only). */
static int mmap_write(const char* path, long size) {
  int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
  if (fd < 0 || ftruncate(fd, size) != 0) return result("mmap-write", path, -1);
  unsigned char* m = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (m == MAP_FAILED) return result("mmap-write", path, -1);
  for (long i = 0; i < size; ++i) m[i] = pattern_byte((unsigned long)i);
  if (msync(m, (size_t)size, MS_SYNC) != 0 || munmap(m, (size_t)size) != 0 || fsync(fd) != 0 || close(fd) != 0)
    return result("mmap-write", path, -1);
  printf("probe mmap-write %s ok %ld\n", path, size);
  return 0;
}

int main(int argc, char** argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: share_probe CMD PATH [ARG]\n");
    return 2;
  }
  const char *cmd = argv[1], *path = argv[2], *arg = argc > 3 ? argv[3] : "";
  if (!strcmp(cmd, "create")) {
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    return result(cmd, path, fd < 0 || write(fd, "x", 1) != 1 ? -1 : 0);
  }
  if (!strcmp(cmd, "read")) {
    char buf[4096];
    int fd = open(path, O_RDONLY);
    ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof buf);
    if (n < 0) return result(cmd, path, -1);
    printf("probe read %s ok %ld bytes: %.*s\n", path, (long)n, (int)(n > 40 ? 40 : n), buf);
    return 0;
  }
  if (!strcmp(cmd, "mkdir")) return result(cmd, path, mkdir(path, 0755));
  if (!strcmp(cmd, "unlink")) return result(cmd, path, unlink(path));
  if (!strcmp(cmd, "chmod")) return result(cmd, path, chmod(path, (mode_t)strtol(arg, NULL, 8)));
  if (!strcmp(cmd, "link")) return result(cmd, path, link(path, arg));
  if (!strcmp(cmd, "symlink")) return result(cmd, path, symlink(path, arg));
  if (!strcmp(cmd, "rename")) return result(cmd, path, rename(path, arg));
  if (!strcmp(cmd, "mmap-read")) return mmap_read(path);
  if (!strcmp(cmd, "mmap-write")) return mmap_write(path, atol(arg));
  fprintf(stderr, "share_probe: unknown command %s\n", cmd);
  return 2;
}
