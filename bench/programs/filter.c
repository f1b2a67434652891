/* Single-precision audio filtering: a 48-tap windowed-sinc FIR low-pass followed by a cascade
 * of two biquad IIR sections over a synthetic signal, block by block; checks the output energy. */
#include <math.h>
#include <stdio.h>

#define TAPS 48
#define BLOCK 4096
#define BLOCKS 260
static float coef[TAPS], hist[TAPS + BLOCK], in[BLOCK], out[BLOCK];
struct biquad { float b0, b1, b2, a1, a2, z1, z2; };

static void design(struct biquad *q, float fc, float qf) {  /* RBJ cookbook low-pass */
  float w = 2.0f * 3.14159265f * fc, al = sinf(w) / (2.0f * qf), c = cosf(w), a0 = 1.0f + al;
  q->b0 = (1.0f - c) / 2.0f / a0; q->b1 = (1.0f - c) / a0; q->b2 = q->b0;
  q->a1 = -2.0f * c / a0; q->a2 = (1.0f - al) / a0; q->z1 = q->z2 = 0.0f;
}

static float run_biquad(struct biquad *q, float x) {  /* transposed direct form II */
  float y = q->b0 * x + q->z1;
  q->z1 = q->b1 * x - q->a1 * y + q->z2;
  q->z2 = q->b2 * x - q->a2 * y;
  return y;
}

int main(void) {
  float sum = 0.0f;
  for (int i = 0; i < TAPS; i++) {
    float t = i - (TAPS - 1) / 2.0f, cut = 0.1f;
    float s = t == 0.0f ? 2.0f * cut : sinf(2.0f * 3.14159265f * cut * t) / (3.14159265f * t);
    coef[i] = s * (0.54f - 0.46f * cosf(2.0f * 3.14159265f * i / (TAPS - 1)));
    sum += coef[i];
  }
  for (int i = 0; i < TAPS; i++) coef[i] /= sum;
  struct biquad q1, q2;
  design(&q1, 0.05f, 0.707f);
  design(&q2, 0.08f, 1.2f);
  unsigned noise = 1;
  double energy = 0.0;
  float peak = 0.0f;
  for (int blk = 0; blk < BLOCKS; blk++) {
    for (int i = 0; i < BLOCK; i++) {
      int n = blk * BLOCK + i;
      noise = noise * 1664525u + 1013904223u;
      in[i] = 0.5f * sinf(0.01f * (n % 10000)) + 0.3f * (n % 37 < 18 ? 1.0f : -1.0f) +
              0.2f * ((int)(noise >> 9) / 8388608.0f - 1.0f);
    }
    for (int i = 0; i < BLOCK; i++) hist[TAPS + i] = in[i];
    for (int i = 0; i < BLOCK; i++) {
      float acc = 0.0f;
      for (int k = 0; k < TAPS; k++) acc += coef[k] * hist[i + TAPS - k];
      out[i] = run_biquad(&q2, run_biquad(&q1, acc));
    }
    for (int i = 0; i < TAPS; i++) hist[i] = hist[BLOCK + i];
    float e = 0.0f;
    for (int i = 0; i < BLOCK; i++) {
      e += out[i] * out[i];
      if (fabsf(out[i]) > peak) peak = fabsf(out[i]);
    }
    energy += e;
  }
  printf("filter: energy %.6f peak %.6f\n", energy, peak);
  const double want_energy = 229693.21, want_peak = 1.031261;
  if (!(fabs(energy - want_energy) < 1e-4 * want_energy) || !(fabs(peak - want_peak) < 1e-4)) {
    printf("filter: MISMATCH\n");
    return 1;
  }
  printf("filter: ok\n");
  return 0;
}
