/* Sorting records with the C library's qsort and comparator functions (an indirect call per
 * comparison): by integer key, by name with strcmp, and by a two-field key; checks the order. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define COUNT 60000
#define ROUNDS 3
struct record { char name[12]; int32_t key; uint32_t id; };
static struct record recs[COUNT];

static int by_key(const void *a, const void *b) {
  const struct record *x = a, *y = b;
  if (x->key != y->key) return x->key < y->key ? -1 : 1;
  return (x->id > y->id) - (x->id < y->id);  /* a total order: the result does not depend on qsort's algorithm */
}
static int by_name(const void *a, const void *b) {
  const struct record *x = a, *y = b;
  int c = strcmp(x->name, y->name);
  return c ? c : (x->id > y->id) - (x->id < y->id);
}
static int by_bucket_then_id(const void *a, const void *b) {
  const struct record *x = a, *y = b;
  if (x->key / 1000 != y->key / 1000) return x->key / 1000 < y->key / 1000 ? -1 : 1;
  return (x->id > y->id) - (x->id < y->id);
}

int main(void) {
  int (*cmps[])(const void *, const void *) = {by_key, by_name, by_bucket_then_id};
  uint32_t s = 2024;
  uint64_t check = 0;
  for (int round = 0; round < ROUNDS; round++) {
    for (int i = 0; i < COUNT; i++) {
      s ^= s << 13; s ^= s >> 17; s ^= s << 5;
      recs[i].key = (int32_t)(s % 2000000) - 1000000;
      recs[i].id = i;
      for (int c = 0; c < 11; c++) recs[i].name[c] = "etaoinshrdlucmfw"[(s >> (c * 2 % 28)) % 16];
      recs[i].name[11] = 0;
    }
    for (int c = 0; c < 3; c++) {
      qsort(recs, COUNT, sizeof recs[0], cmps[c]);
      for (int i = 1; i < COUNT; i++)
        if (cmps[c](&recs[i - 1], &recs[i]) > 0) { printf("sort: comparator %d out of order at %d\n", c, i); return 1; }
      for (int i = 0; i < COUNT; i += 97) check = check * 31 + recs[i].id + (uint32_t)recs[i].key;
    }
  }
  printf("sort: checksum %llu\n", (unsigned long long)check);
  if (check != 7412940537462137910ull) { printf("sort: MISMATCH\n"); return 1; }
  printf("sort: ok\n");
  return 0;
}
