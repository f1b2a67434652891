/* An embedded-style integer mix in the spirit of CoreMark (own code): a small linked list of
 * records (find, reverse), a 24x24 int16 matrix kernel, a number-scanning state machine and a
 * CRC-16 over all results, iterated; the list and matrix stay in the L1 cache. */
#include <stdint.h>
#include <stdio.h>

#define ITERATIONS 27000
#define LIST 64
#define MAT 24

static uint16_t crc16(uint16_t crc, uint32_t data, int bits) {  /* CRC-16/CCITT, bit by bit */
  for (int i = 0; i < bits; i++) {
    int x = ((crc >> 15) ^ (data >> (bits - 1 - i))) & 1;
    crc = (uint16_t)(crc << 1);
    if (x) crc ^= 0x1021;
  }
  return crc;
}

struct item { struct item *next; int16_t value; uint16_t index; };
static struct item items[LIST];

static struct item *reverse(struct item *l) {
  struct item *r = NULL;
  while (l) { struct item *n = l->next; l->next = r; r = l; l = n; }
  return r;
}
static struct item *find(struct item *l, int16_t value) {
  while (l && l->value != value) l = l->next;
  return l;
}

static int16_t ma[MAT][MAT], mb[MAT][MAT];
static int32_t mc[MAT][MAT];
static uint32_t matrix(int16_t k) {
  uint32_t sum = 0;
  for (int i = 0; i < MAT; i++)
    for (int j = 0; j < MAT; j++) ma[i][j] = (int16_t)(ma[i][j] + k);
  for (int i = 0; i < MAT; i++)
    for (int j = 0; j < MAT; j++) {
      int32_t acc = 0;
      for (int x = 0; x < MAT; x++) acc += ma[i][x] * mb[x][j];
      mc[i][j] = acc;
      sum += (acc >> 2) & 0xfff;
    }
  for (int i = 0; i < MAT; i++)
    for (int j = 0; j < MAT; j++) ma[i][j] = (int16_t)(ma[i][j] - k);
  return sum;
}

enum state { START, INT, DEC, EXP_SIGN, EXP, BAD, STATES };
static uint32_t scan(const char *s, uint32_t counts[STATES]) {  /* classify comma-separated tokens */
  uint32_t transitions = 0;
  enum state st = START;
  for (;; s++) {
    char c = *s;
    if (c == ',' || c == 0) { counts[st]++; st = START; if (!c) break; continue; }
    enum state next = BAD;
    switch (st) {
      case START: next = (c >= '0' && c <= '9') || c == '-' || c == '+' ? INT : c == '.' ? DEC : BAD; break;
      case INT: next = c >= '0' && c <= '9' ? INT : c == '.' ? DEC : c == 'e' || c == 'E' ? EXP_SIGN : BAD; break;
      case DEC: next = c >= '0' && c <= '9' ? DEC : c == 'e' || c == 'E' ? EXP_SIGN : BAD; break;
      case EXP_SIGN: next = c == '-' || c == '+' || (c >= '0' && c <= '9') ? EXP : BAD; break;
      case EXP: next = c >= '0' && c <= '9' ? EXP : BAD; break;
      default: break;
    }
    transitions += next != st;
    st = next;
  }
  return transitions;
}

int main(void) {
  static char text[2048];
  static const char *tokens[] = {"5012", "1.234", "-874", "+122", "6.5e-3", "-.0", "T0.3e-1F", "-T.T++Tq", "1T3.4e4z", "34.0e-T^"};
  size_t n = 0;
  for (int i = 0; n + 12 < sizeof text; i++) {
    for (const char *t = tokens[(i * 7) % 10]; *t; t++) text[n++] = *t;
    text[n++] = ',';
  }
  text[n - 1] = 0;
  for (int i = 0; i < MAT; i++)
    for (int j = 0; j < MAT; j++) { ma[i][j] = (int16_t)((i * 31 + j * 7) % 201 - 100); mb[i][j] = (int16_t)((i * 13 + j * 17) % 97 - 48); }
  struct item *list = NULL;
  for (int i = 0; i < LIST; i++) { items[i].value = (int16_t)((i * 37) % LIST); items[i].index = i; items[i].next = list; list = &items[i]; }

  uint16_t crc = 0xffff;
  for (int it = 0; it < ITERATIONS; it++) {
    uint32_t found = 0;
    for (int v = 0; v < LIST; v += 3) { struct item *p = find(list, (int16_t)((v + it) % (LIST + 8))); found += p ? p->index : 1000; }
    list = reverse(list);
    crc = crc16(crc, found, 32);
    crc = crc16(crc, matrix((int16_t)(it & 0xff)), 32);
    uint32_t counts[STATES] = {0};
    text[(it * 13) % (n - 1)] ^= 1;  /* perturb one byte so each scan differs */
    crc = crc16(crc, scan(text, counts), 32);
    for (int s = 0; s < STATES; s++) crc = crc16(crc, counts[s], 16);
  }
  printf("mix: crc 0x%04x\n", crc);
  if (crc != 0x16ba) { printf("mix: MISMATCH\n"); return 1; }
  printf("mix: ok\n");
  return 0;
}
