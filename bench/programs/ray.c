/* Monte-Carlo ray tracer: spheres lit by a point light, several jittered rays per pixel from an
 * integer LCG (int<->float conversions, sqrt, division), 8-bit output; checks mean brightness. */
#include <math.h>
#include <stdio.h>

#define W 160
#define H 120
#define SAMPLES 24
struct vec { double x, y, z; };
struct sphere { struct vec c; double r; double albedo; };
static const struct sphere scene[] = {
  {{0, -1000, 0}, 999, 0.6}, {{-1.2, 0, 4}, 1, 0.9}, {{1.1, -0.3, 3.2}, 0.7, 0.7},
  {{0.2, 0.9, 5.5}, 0.8, 0.8}, {{-0.3, -0.7, 2.5}, 0.3, 0.95},
};
#define NS (int)(sizeof scene / sizeof scene[0])
static unsigned char image[H][W];

static unsigned state = 2463534242u;
static double jitter(void) { state = state * 1103515245u + 12345u; return (int)(state >> 16 & 0x7fff) / 32768.0; }
static struct vec sub(struct vec a, struct vec b) { return (struct vec){a.x - b.x, a.y - b.y, a.z - b.z}; }
static double dot(struct vec a, struct vec b) { return a.x * b.x + a.y * b.y + a.z * b.z; }
static struct vec norm(struct vec a) { double l = sqrt(dot(a, a)); return (struct vec){a.x / l, a.y / l, a.z / l}; }

static int hit(struct vec o, struct vec d, double *tmin) {  /* nearest sphere along the ray */
  int best = -1;
  for (int i = 0; i < NS; i++) {
    struct vec oc = sub(o, scene[i].c);
    double b = dot(oc, d), c = dot(oc, oc) - scene[i].r * scene[i].r, disc = b * b - c;
    if (disc < 0) continue;
    double t = -b - sqrt(disc);
    if (t > 1e-4 && t < *tmin) { *tmin = t; best = i; }
  }
  return best;
}

static double shade(struct vec o, struct vec d) {
  double t = 1e30;
  int s = hit(o, d, &t);
  if (s < 0) return 0.2 + 0.3 * d.y;
  struct vec p = {o.x + t * d.x, o.y + t * d.y, o.z + t * d.z};
  struct vec n = norm(sub(p, scene[s].c)), l = norm(sub((struct vec){5, 5, -2}, p));
  double lt = 1e30, diff = dot(n, l);
  if (diff <= 0 || hit(p, l, &lt) >= 0) return 0.05 * scene[s].albedo;  /* in shadow */
  return 0.05 * scene[s].albedo + diff * scene[s].albedo;
}

int main(void) {
  long total = 0;
  for (int frame = 0; frame < 2; frame++)
    for (int y = 0; y < H; y++)
      for (int x = 0; x < W; x++) {
        double acc = 0;
        for (int s = 0; s < SAMPLES; s++) {
          double u = ((x + jitter()) / W - 0.5) * 1.6, v = (0.5 - (y + jitter()) / H) * 1.2;
          acc += shade((struct vec){0, 0, -frame * 0.5}, norm((struct vec){u, v, 1}));
        }
        int px = (int)(255.0 * sqrt(acc / SAMPLES) + 0.5);
        image[y][x] = (unsigned char)(px > 255 ? 255 : px < 0 ? 0 : px);
        total += image[y][x];
      }
  double mean = (double)total / (2.0 * W * H);
  printf("ray: mean brightness %.4f, centre %d\n", mean, image[H / 2][W / 2]);
  const double want = 145.2898;
  if (!(fabs(mean - want) < 0.01)) { printf("ray: MISMATCH\n"); return 1; }
  printf("ray: ok\n");
  return 0;
}
