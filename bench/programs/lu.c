/* Dense linear algebra in double precision: LU decomposition with partial pivoting of a
 * 240x240 matrix, then forward/back substitution; checks the solution against the known one. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#define N 240
#define REPEAT 24
static double a[N][N], lu[N][N], bvec[N], x[N];
static int piv[N];

static unsigned long long seed = 88172645463325252ull;
static double rnd(void) { seed ^= seed << 13; seed ^= seed >> 7; seed ^= seed << 17; return (seed >> 11) * 0x1.0p-53 - 0.5; }

static int decompose(void) {
  for (int i = 0; i < N; i++) { piv[i] = i; for (int j = 0; j < N; j++) lu[i][j] = a[i][j]; }
  for (int k = 0; k < N; k++) {
    int p = k;
    for (int i = k + 1; i < N; i++) if (fabs(lu[i][k]) > fabs(lu[p][k])) p = i;
    if (lu[p][k] == 0.0) return -1;
    if (p != k) {
      for (int j = 0; j < N; j++) { double t = lu[k][j]; lu[k][j] = lu[p][j]; lu[p][j] = t; }
      int t = piv[k]; piv[k] = piv[p]; piv[p] = t;
    }
    for (int i = k + 1; i < N; i++) {
      double f = lu[i][k] /= lu[k][k];
      for (int j = k + 1; j < N; j++) lu[i][j] -= f * lu[k][j];
    }
  }
  return 0;
}

static void solve(void) {
  for (int i = 0; i < N; i++) {
    double s = bvec[piv[i]];
    for (int j = 0; j < i; j++) s -= lu[i][j] * x[j];
    x[i] = s;
  }
  for (int i = N - 1; i >= 0; i--) {
    double s = x[i];
    for (int j = i + 1; j < N; j++) s -= lu[i][j] * x[j];
    x[i] = s / lu[i][i];
  }
}

int main(void) {
  double total = 0, worst = 0;
  for (int r = 0; r < REPEAT; r++) {
    for (int i = 0; i < N; i++) for (int j = 0; j < N; j++) a[i][j] = rnd();
    for (int i = 0; i < N; i++) {  /* b = A * (1, 2, ..., N) / N */
      double s = 0;
      for (int j = 0; j < N; j++) s += a[i][j] * (j + 1) / N;
      bvec[i] = s;
    }
    if (decompose() != 0) { printf("lu: singular\n"); return 1; }
    solve();
    for (int i = 0; i < N; i++) {
      double err = fabs(x[i] - (double)(i + 1) / N);
      if (err > worst) worst = err;
      total += x[i];
    }
  }
  printf("lu: sum of solutions %.9f, max error %.2e\n", total, worst);
  const double want = REPEAT * (N + 1) / 2.0;
  if (worst > 1e-8 || fabs(total - want) > 1e-6) { printf("lu: MISMATCH\n"); return 1; }
  printf("lu: ok\n");
  return 0;
}
