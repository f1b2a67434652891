/* The guest side of bench/vsock/run.sh, static riscv64; the same code for both channels, so
 * that only the channel differs:
 *   vsock_stream vsock|tcp send PORT MB  connect to the host (vsock CID 2, or TCP 10.0.2.2,
 *                                        user networking's host) at PORT, send MB MiB of zeros
 *   vsock_stream vsock|tcp recv PORT     listen on PORT, read one connection to its end, and
 *                                        print "vsock-recv bytes=N rate=MB/s" timed from its
 *                                        first byte */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/vm_sockets.h> /* after sys/socket.h, which it needs */
#include <time.h>
#include <unistd.h>

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

union address {
  struct sockaddr any;
  struct sockaddr_vm vm;
  struct sockaddr_in in;
};

/* The host's address (to connect) or any local one (to listen) on `port`. */
static socklen_t address(int tcp, int host, unsigned port, union address* a) {
  memset(a, 0, sizeof *a);
  if (tcp) {
    a->in.sin_family = AF_INET;
    a->in.sin_port = htons((unsigned short)port);
    a->in.sin_addr.s_addr = host ? inet_addr("10.0.2.2") : htonl(INADDR_ANY);
    return sizeof a->in;
  }
  a->vm.svm_family = AF_VSOCK;
  a->vm.svm_cid = host ? 2 : VMADDR_CID_ANY;
  a->vm.svm_port = port;
  return sizeof a->vm;
}

int main(int argc, char** argv) {
  static char buf[1 << 16];
  if (argc < 4) return 2;
  const int tcp = strcmp(argv[1], "tcp") == 0;
  const unsigned port = (unsigned)atoi(argv[3]);
  union address a;
  int s = socket(tcp ? AF_INET : AF_VSOCK, SOCK_STREAM, 0);
  if (s < 0) return perror("socket"), 1;
  if (strcmp(argv[2], "send") == 0 && argc == 5) {
    socklen_t len = address(tcp, 1, port, &a);
    if (connect(s, &a.any, len) != 0) return perror("connect"), 1;
    long long left = atoll(argv[4]) << 20;
    while (left > 0) {
      ssize_t n = write(s, buf, left < (long long)sizeof buf ? (size_t)left : sizeof buf);
      if (n <= 0) return perror("write"), 1;
      left -= n;
    }
    /* Wait for the host to close: a guest that powers off at once can lose what is in flight. */
    shutdown(s, SHUT_WR);
    while (read(s, buf, sizeof buf) > 0) {
    }
    close(s);
    return 0;
  }
  if (strcmp(argv[2], "recv") == 0) {
    socklen_t len = address(tcp, 0, port, &a);
    if (bind(s, &a.any, len) != 0 || listen(s, 1) != 0) return perror("listen"), 1;
    printf("vsock-recv listening\n");
    fflush(stdout);
    int c = accept(s, NULL, NULL);
    if (c < 0) return perror("accept"), 1;
    long long total = 0;
    double first = 0;
    for (;;) {
      ssize_t n = read(c, buf, sizeof buf);
      if (n <= 0) break;
      if (total == 0) first = now();
      total += n;
    }
    printf("vsock-recv bytes=%lld rate=%.2f\n", total, total / (now() - first) / 1e6);
    return 0;
  }
  return 2;
}
