/* A small CPU benchmark, compiled both for the RISC-V guest and for the host, so the same
 * work measures Vessel, QEMU and native execution. Four kernels, each timed separately:
 * integer (hashing), memory (pointer chasing and copies), branchy (sorting), floating point
 * (matrix multiply). Prints per-kernel seconds, the total and a checksum that must match
 * across runs and machines. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint64_t next_random(void) { /* xorshift64* */
  rng_state ^= rng_state >> 12;
  rng_state ^= rng_state << 25;
  rng_state ^= rng_state >> 27;
  return rng_state * 0x2545f4914f6cdd1dull;
}

static uint64_t integer_kernel(void) { /* FNV-1a and multiply-rotate over a buffer */
  static uint8_t buf[1 << 16];
  for (size_t i = 0; i < sizeof buf; ++i) buf[i] = (uint8_t)next_random();
  uint64_t h = 0xcbf29ce484222325ull, acc = 0;
  for (int round = 0; round < 400; ++round)
    for (size_t i = 0; i < sizeof buf; ++i) {
      h = (h ^ buf[i]) * 0x100000001b3ull;
      acc += (h >> 7) ^ (acc << 3 | acc >> 61);
    }
  return h ^ acc;
}

static uint64_t memory_kernel(void) { /* pointer chasing in 8 MiB, then copies */
  const size_t n = (8u << 20) / sizeof(uint32_t);
  uint32_t* next = malloc(n * sizeof *next);
  for (size_t i = 0; i < n; ++i) next[i] = (uint32_t)i;
  for (size_t i = n - 1; i > 0; --i) { /* one random cycle (Sattolo) */
    size_t j = next_random() % i;
    uint32_t t = next[i];
    next[i] = next[j];
    next[j] = t;
  }
  uint32_t p = 0;
  uint64_t sum = 0;
  for (int i = 0; i < 3000000; ++i) {
    p = next[p];
    sum += p;
  }
  uint8_t* a = malloc(1 << 20);
  uint8_t* b = malloc(1 << 20);
  memset(a, 7, 1 << 20);
  for (int i = 0; i < 40; ++i) {
    memcpy(b, a, 1 << 20);
    b[i] ^= 1;
    memcpy(a, b, 1 << 20);
  }
  sum += a[5] + a[39];
  free(a);
  free(b);
  free(next);
  return sum;
}

static int compare_u32(const void* x, const void* y) {
  uint32_t a = *(const uint32_t*)x, b = *(const uint32_t*)y;
  return a < b ? -1 : a > b;
}

static uint64_t branchy_kernel(void) { /* sorting and a data-dependent state machine */
  const size_t n = 300000;
  uint32_t* v = malloc(n * sizeof *v);
  for (size_t i = 0; i < n; ++i) v[i] = (uint32_t)next_random();
  qsort(v, n, sizeof *v, compare_u32);
  uint64_t sum = 0;
  for (size_t i = 0; i < n; i += 1000) sum += v[i];
  uint64_t steps = 0;
  for (uint64_t start = 1; start < 60000; ++start) { /* Collatz walks */
    uint64_t x = start;
    while (x != 1) {
      x = (x & 1) ? 3 * x + 1 : x / 2;
      ++steps;
    }
  }
  free(v);
  return sum ^ steps;
}

static uint64_t float_kernel(void) { /* dense matrix multiply in double precision */
  enum { N = 120 };
  static double a[N][N], b[N][N], c[N][N];
  for (int i = 0; i < N; ++i)
    for (int j = 0; j < N; ++j) {
      a[i][j] = (double)((i * 7 + j * 3) % 17) / 16.0;
      b[i][j] = (double)((i * 5 + j * 11) % 13) / 12.0;
    }
  for (int r = 0; r < 20; ++r)
    for (int i = 0; i < N; ++i)
      for (int j = 0; j < N; ++j) {
        double s = 0;
        for (int k = 0; k < N; ++k) s += a[i][k] * b[k][j];
        c[i][j] = s + r;
      }
  double trace = 0;
  for (int i = 0; i < N; ++i) trace += c[i][i];
  return (uint64_t)(trace * 1000.0);
}

int main(void) {
  struct {
    const char* name;
    uint64_t (*run)(void);
  } kernels[] = {{"integer", integer_kernel}, {"memory", memory_kernel}, {"branchy", branchy_kernel},
                 {"float", float_kernel}};
  double total = 0;
  uint64_t check = 0;
  for (size_t i = 0; i < sizeof kernels / sizeof kernels[0]; ++i) {
    const double t0 = now();
    check = check * 31 + kernels[i].run();
    const double t = now() - t0;
    total += t;
    printf("cpubench-%s-seconds: %.3f\n", kernels[i].name, t);
  }
  printf("cpubench-checksum: %016llx\n", (unsigned long long)check);
  printf("cpubench-total-seconds: %.3f\n", total);
  return 0;
}
