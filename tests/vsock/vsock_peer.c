/* The guest side of the vsock tests, cross-built static for riscv64:
 *   vsock_peer echo PORT        listen on PORT, echo one connection until its end
 *   vsock_peer send PORT BYTES  connect to the host (CID 2) at PORT, send BYTES of the test
 *                               pattern, check that the host echoes them back byte for byte
 *   vsock_peer refused PORT     connect to the host at PORT where nobody listens
 *   vsock_peer hold PORT        connect to the host at PORT and wait until the connection ends
 * Results go to stdout (the console), where the test reads them. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/vm_sockets.h> /* after sys/socket.h, which it needs */
#include <unistd.h>

/* Must match pattern_byte() in vsock_guest_test.cpp. */
static uint8_t pattern_byte(uint64_t i) { return (uint8_t)((i ^ (i >> 8) ^ (i >> 16)) * 31u + 7u); }

static int vsock_socket(void) {
  int s = socket(AF_VSOCK, SOCK_STREAM, 0);
  if (s < 0) {
    printf("vsock-peer: socket: %s\n", strerror(errno));
    exit(1);
  }
  return s;
}

static struct sockaddr_vm address(unsigned cid, unsigned port) {
  struct sockaddr_vm a;
  memset(&a, 0, sizeof a);
  a.svm_family = AF_VSOCK;
  a.svm_cid = cid;
  a.svm_port = port;
  return a;
}

static int echo(unsigned port) {
  int s = vsock_socket();
  struct sockaddr_vm a = address(VMADDR_CID_ANY, port);
  if (bind(s, (struct sockaddr*)&a, sizeof a) != 0 || listen(s, 1) != 0) {
    printf("vsock-peer: bind/listen: %s\n", strerror(errno));
    return 1;
  }
  printf("vsock-echo listening %u\n", port);
  fflush(stdout);
  int c = accept(s, NULL, NULL);
  if (c < 0) {
    printf("vsock-peer: accept: %s\n", strerror(errno));
    return 1;
  }
  static char buf[65536];
  uint64_t total = 0;
  for (;;) {
    ssize_t n = read(c, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      printf("vsock-peer: read: %s\n", strerror(errno));
      return 1;
    }
    if (n == 0) break;
    for (ssize_t off = 0; off < n;) {
      ssize_t w = write(c, buf + off, (size_t)(n - off));
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) {
        printf("vsock-peer: write: %s\n", strerror(errno));
        return 1;
      }
      off += w;
    }
    total += (uint64_t)n;
  }
  close(c);
  printf("vsock-echo done %llu\n", (unsigned long long)total);
  return 0;
}

static int send_and_check(unsigned port, uint64_t bytes) {
  int s = vsock_socket();
  struct sockaddr_vm a = address(VMADDR_CID_HOST, port);
  if (connect(s, (struct sockaddr*)&a, sizeof a) != 0) {
    printf("vsock-peer: connect: %s\n", strerror(errno));
    return 1;
  }
  fcntl(s, F_SETFL, fcntl(s, F_GETFL) | O_NONBLOCK);
  /* Write and read at once: the host echoes, and neither side's buffers hold 4 MiB. */
  static uint8_t out[65536], in[65536];
  uint64_t sent = 0, received = 0;
  int shut = 0;
  while (received < bytes) {
    struct pollfd p = {s, POLLIN | (sent < bytes ? POLLOUT : 0), 0};
    if (poll(&p, 1, -1) < 0 && errno != EINTR) return 1;
    if (sent < bytes && (p.revents & POLLOUT)) {
      size_t n = bytes - sent < sizeof out ? (size_t)(bytes - sent) : sizeof out;
      for (size_t i = 0; i < n; ++i) out[i] = pattern_byte(sent + i);
      ssize_t w = write(s, out, n);
      if (w > 0) sent += (uint64_t)w;
      else if (w < 0 && errno != EAGAIN && errno != EINTR) {
        printf("vsock-peer: write: %s\n", strerror(errno));
        return 1;
      }
    }
    if (sent == bytes && !shut) {
      shutdown(s, SHUT_WR);  /* the host sees the end of the stream and closes */
      shut = 1;
    }
    ssize_t n = read(s, in, sizeof in);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) continue;
      printf("vsock-peer: read: %s\n", strerror(errno));
      return 1;
    }
    for (ssize_t i = 0; i < n; ++i)
      if (in[i] != pattern_byte(received + (uint64_t)i)) {
        printf("vsock-send mismatch at %llu\n", (unsigned long long)(received + (uint64_t)i));
        return 1;
      }
    received += (uint64_t)n;
  }
  close(s);
  printf("vsock-send %s sent=%llu received=%llu\n", received == bytes ? "ok" : "short", (unsigned long long)sent,
         (unsigned long long)received);
  return received == bytes ? 0 : 1;
}

static int refused(unsigned port) {
  int s = vsock_socket();
  struct sockaddr_vm a = address(VMADDR_CID_HOST, port);
  if (connect(s, (struct sockaddr*)&a, sizeof a) == 0) {
    printf("vsock-refused connected\n");
    return 1;
  }
  printf("vsock-refused errno=%s\n", errno == ECONNRESET ? "ECONNRESET" : errno == ECONNREFUSED ? "ECONNREFUSED" : strerror(errno));
  return 0;
}

static int hold(unsigned port) {
  int s = vsock_socket();
  struct sockaddr_vm a = address(VMADDR_CID_HOST, port);
  if (connect(s, (struct sockaddr*)&a, sizeof a) != 0) {
    printf("vsock-peer: connect: %s\n", strerror(errno));
    return 1;
  }
  printf("vsock-held\n");
  fflush(stdout);
  char c;
  ssize_t n;
  while ((n = read(s, &c, 1)) < 0 && errno == EINTR) {
  }
  printf("vsock-hold-ended %s\n", n > 0    ? "data"
         : n == 0 ? "eof"
         : errno == ECONNRESET ? "ECONNRESET"
         : errno == ENOTCONN   ? "ENOTCONN"
                               : strerror(errno));
  return 0;
}

int main(int argc, char** argv) {
  if (argc >= 3 && strcmp(argv[1], "echo") == 0) return echo((unsigned)atoi(argv[2]));
  if (argc >= 4 && strcmp(argv[1], "send") == 0) return send_and_check((unsigned)atoi(argv[2]), strtoull(argv[3], 0, 10));
  if (argc >= 3 && strcmp(argv[1], "hold") == 0) return hold((unsigned)atoi(argv[2]));
  if (argc >= 3 && strcmp(argv[1], "refused") == 0) return refused((unsigned)atoi(argv[2]));
  printf("usage: vsock_peer echo PORT | send PORT BYTES | refused PORT | hold PORT\n");
  return 2;
}
