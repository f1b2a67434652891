/* LZ77 compression with hash chains (a deflate-like match finder, without the entropy coder)
 * over 1 MiB of generated English-like text, then decompression; checks the round trip. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SIZE (1 << 20)
#define WINDOW 32768
#define HASH_BITS 15
#define MAX_CHAIN 48
#define MIN_MATCH 3
#define MAX_MATCH 258
#define ROUNDS 7
static uint8_t input[SIZE], output[SIZE], restored[SIZE];
static int32_t head[1 << HASH_BITS], prev_pos[SIZE];

static uint32_t hash3(const uint8_t *p) { return ((p[0] << 10) ^ (p[1] << 5) ^ p[2]) & ((1 << HASH_BITS) - 1); }

/* Output tokens: 0, byte (a literal); 1, length - 3, distance (16 bits, little-endian) (a match). */
static size_t compress(void) {
  size_t out = 0;
  for (int i = 0; i < (1 << HASH_BITS); i++) head[i] = -1;
  for (int pos = 0; pos < SIZE;) {
    int best_len = 0, best_dist = 0;
    if (pos + MIN_MATCH <= SIZE) {
      uint32_t h = hash3(input + pos);
      int limit = SIZE - pos < MAX_MATCH ? SIZE - pos : MAX_MATCH;
      for (int cand = head[h], chain = 0; cand >= 0 && pos - cand <= WINDOW && chain < MAX_CHAIN; cand = prev_pos[cand], chain++) {
        if (input[cand + best_len] != input[pos + best_len]) continue;
        int l = 0;
        while (l < limit && input[cand + l] == input[pos + l]) l++;
        if (l > best_len) { best_len = l; best_dist = pos - cand; if (l == limit) break; }
      }
    }
    int advance = best_len >= MIN_MATCH ? best_len : 1;
    if (best_len >= MIN_MATCH) {
      output[out++] = 1; output[out++] = (uint8_t)(best_len - MIN_MATCH);
      output[out++] = (uint8_t)best_dist; output[out++] = (uint8_t)(best_dist >> 8);
    } else {
      output[out++] = 0; output[out++] = input[pos];
    }
    for (int k = 0; k < advance; k++, pos++) {  /* every position passed goes into the chains */
      if (pos + MIN_MATCH > SIZE) continue;
      uint32_t h = hash3(input + pos);
      prev_pos[pos] = head[h];
      head[h] = pos;
    }
    if (out + 8 > SIZE) return 0;  /* incompressible: give up */
  }
  return out;
}

static size_t decompress(size_t n) {
  size_t out = 0;
  for (size_t i = 0; i < n;) {
    if (output[i] == 0) { restored[out++] = output[i + 1]; i += 2; continue; }
    int l = output[i + 1] + MIN_MATCH, d = output[i + 2] | output[i + 3] << 8;
    for (int k = 0; k < l; k++, out++) restored[out] = restored[out - d];
    i += 4;
  }
  return out;
}

int main(void) {
  static const char *words[] = {"the", "of", "and", "a", "to", "in", "is", "you", "that", "it", "he", "was",
                                "for", "on", "are", "as", "with", "his", "they", "at", "be", "this", "have",
                                "from", "or", "one", "had", "by", "word", "but", "not", "what", "all", "were",
                                "machine", "virtual", "memory", "instruction", "translation", "register"};
  uint32_t s = 31337;
  for (size_t n = 0; n < SIZE;) {
    s = s * 1664525u + 1013904223u;
    const char *w = (s >> 24) % 3 ? words[(s >> 12) % 40] : words[(s >> 20) % 6];  /* common words more often */
    for (; *w && n < SIZE; w++) input[n++] = (uint8_t)*w;
    if (n < SIZE) input[n++] = (s >> 8) % 13 == 0 ? '\n' : (s >> 8) % 7 == 0 ? ',' : ' ';
  }
  uint64_t check = 0;
  size_t packed = 0;
  for (int round = 0; round < ROUNDS; round++) {
    packed = compress();
    if (!packed || decompress(packed) != SIZE || memcmp(input, restored, SIZE) != 0) { printf("lz: round trip failed\n"); return 1; }
    for (size_t i = 0; i < packed; i++) check = check * 257 + output[i];
    input[round * 1000 + 17] ^= 0x20;  /* change the data a little between rounds */
  }
  printf("lz: %d -> %zu bytes, checksum %llu\n", SIZE, packed, (unsigned long long)check);
  if (check != 2112377411569440621ull) { printf("lz: MISMATCH\n"); return 1; }
  printf("lz: ok\n");
  return 0;
}
