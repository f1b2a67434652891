/* Recursive-descent parser for a JSON-like text: generates ~300 KB of nested objects, arrays,
 * strings and integers, parses it into a malloc'd tree, sums it up and frees it, repeatedly. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PASSES 54
enum kind { NUM, STR, ARR, OBJ };
struct value { enum kind kind; long num; char *str; struct value **items; char **keys; int count; };

static char text[1 << 20];
static size_t len;
static uint32_t seed = 99;
static uint32_t rnd(uint32_t n) { seed = seed * 1103515245u + 12345u; return (seed >> 16) % n; }
static void emit(const char *s) { size_t n = strlen(s); memcpy(text + len, s, n); len += n; }

static void generate(int depth) {
  static const char *words[] = {"name", "id", "value", "children", "flag", "x", "y", "label", "weight", "tags"};
  char buf[32];
  int r = depth > 5 ? (int)rnd(2) : (int)rnd(4);
  if (r == 0) { snprintf(buf, sizeof buf, "%ld", (long)rnd(200000) - 100000); emit(buf); }
  else if (r == 1) { emit("\""); emit(words[rnd(10)]); snprintf(buf, sizeof buf, "-%u\"", rnd(1000)); emit(buf); }
  else {
    int n = 1 + rnd(6);
    emit(r == 2 ? "[" : "{");
    for (int i = 0; i < n; i++) {
      if (i) emit(", ");
      if (r == 3) { emit("\""); emit(words[rnd(10)]); emit("\": "); }
      generate(depth + 1);
    }
    emit(r == 2 ? "]" : "}");
  }
}

static const char *p;
static void skip(void) { while (*p == ' ' || *p == '\n') p++; }
static char *parse_string(void) {
  const char *start = ++p;
  while (*p != '"') p++;
  char *s = malloc(p - start + 1);
  memcpy(s, start, p - start);
  s[p - start] = 0;
  p++;
  return s;
}

static struct value *parse(void) {
  struct value *v = calloc(1, sizeof *v);
  skip();
  if (*p == '"') { v->kind = STR; v->str = parse_string(); return v; }
  if (*p == '[' || *p == '{') {
    char close = *p == '[' ? ']' : '}';
    v->kind = close == ']' ? ARR : OBJ;
    int cap = 4;
    v->items = malloc(cap * sizeof *v->items);
    v->keys = v->kind == OBJ ? malloc(cap * sizeof *v->keys) : NULL;
    p++;
    for (skip(); *p != close; skip()) {
      if (v->count == cap) {
        cap *= 2;
        v->items = realloc(v->items, cap * sizeof *v->items);
        if (v->keys) v->keys = realloc(v->keys, cap * sizeof *v->keys);
      }
      if (v->kind == OBJ) { v->keys[v->count] = parse_string(); skip(); p++; /* ':' */ }
      v->items[v->count++] = parse();
      skip();
      if (*p == ',') p++;
    }
    p++;
    return v;
  }
  v->kind = NUM;
  int neg = *p == '-';
  if (neg) p++;
  while (*p >= '0' && *p <= '9') v->num = v->num * 10 + (*p++ - '0');
  if (neg) v->num = -v->num;
  return v;
}

static uint64_t visit(struct value *v, int depth) {  /* checksum, then free */
  uint64_t h = (uint64_t)v->kind * 31 + depth;
  if (v->kind == NUM) h += (uint64_t)v->num;
  if (v->kind == STR) { for (char *c = v->str; *c; c++) h = h * 131 + (unsigned char)*c; free(v->str); }
  for (int i = 0; i < v->count; i++) {
    if (v->keys) { h ^= strlen(v->keys[i]); free(v->keys[i]); }
    h = h * 1000003 + visit(v->items[i], depth + 1);
  }
  free(v->items);
  free(v->keys);
  free(v);
  return h;
}

int main(void) {
  emit("[");
  for (int i = 0; len < 300000; i++) { if (i) emit(",\n"); generate(0); }
  emit("]");
  text[len] = 0;
  uint64_t check = 0;
  for (int pass = 0; pass < PASSES; pass++) {
    p = text;
    check = check * 3 + visit(parse(), 0);
    if ((size_t)(p - text) != len) { printf("parse: stopped at %zu of %zu\n", (size_t)(p - text), len); return 1; }
  }
  printf("parse: %zu bytes, checksum %llu\n", len, (unsigned long long)check);
  if (check != 14420655599163891924ull) { printf("parse: MISMATCH\n"); return 1; }
  printf("parse: ok\n");
  return 0;
}
