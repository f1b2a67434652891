/* Red-black tree (CLRS style, parent pointers): insert random keys, look up hits and misses,
 * walk in order, verify the colour invariants; checks a sum over the lookups. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define KEYS 100000
#define LOOKUPS 2000000
enum { RED, BLACK };
struct rb { struct rb *left, *right, *parent; uint32_t key, value; int colour; };
static struct rb *root;

static void rotate(struct rb *x, int left) {
  struct rb *y = left ? x->right : x->left;
  if (left) { x->right = y->left; if (y->left) y->left->parent = x; }
  else { x->left = y->right; if (y->right) y->right->parent = x; }
  y->parent = x->parent;
  if (!x->parent) root = y;
  else if (x == x->parent->left) x->parent->left = y;
  else x->parent->right = y;
  if (left) y->left = x; else y->right = x;
  x->parent = y;
}

static int insert(uint32_t key, uint32_t value) {
  struct rb *parent = NULL, **link = &root;
  while (*link) {
    parent = *link;
    if (key == parent->key) { parent->value = value; return 0; }
    link = key < parent->key ? &parent->left : &parent->right;
  }
  struct rb *z = calloc(1, sizeof *z);
  z->key = key; z->value = value; z->parent = parent; z->colour = RED;
  *link = z;
  while (z->parent && z->parent->colour == RED) {
    struct rb *g = z->parent->parent;
    int left = z->parent == g->left;
    struct rb *uncle = left ? g->right : g->left;
    if (uncle && uncle->colour == RED) {
      z->parent->colour = uncle->colour = BLACK; g->colour = RED; z = g;
    } else {
      if (z == (left ? z->parent->right : z->parent->left)) { z = z->parent; rotate(z, left); }
      z->parent->colour = BLACK; g->colour = RED; rotate(g, !left);
    }
  }
  root->colour = BLACK;
  return 1;
}

static struct rb *find(uint32_t key) {
  struct rb *n = root;
  while (n && n->key != key) n = key < n->key ? n->left : n->right;
  return n;
}

static int black_height(struct rb *n, uint64_t *sum, uint32_t *prev) {  /* -1: broken */
  if (!n) return 1;
  if (n->colour == RED && ((n->left && n->left->colour == RED) || (n->right && n->right->colour == RED))) return -1;
  int l = black_height(n->left, sum, prev);
  if (n->key < *prev) return -1;
  *prev = n->key; *sum += n->value;
  int r = black_height(n->right, sum, prev);
  return l < 0 || l != r ? -1 : l + (n->colour == BLACK);
}

int main(void) {
  uint32_t x = 1;
  int inserted = 0;
  for (int i = 0; i < KEYS; i++) {
    x ^= x << 13; x ^= x >> 17; x ^= x << 5;
    inserted += insert(x % 4000000, i);
  }
  uint64_t sum = 0;
  uint32_t y = 7, prev = 0;
  for (int i = 0; i < LOOKUPS; i++) {
    y = y * 1664525u + 1013904223u;
    struct rb *n = find((y >> 8) % 4000000);
    sum += n ? n->value + 1 : 0;
  }
  int height = black_height(root, &sum, &prev);
  printf("rbtree: %d keys, black height %d, checksum %llu\n", inserted, height, (unsigned long long)sum);
  if (height < 0 || sum != 7434746814ull) { printf("rbtree: MISMATCH\n"); return 1; }
  printf("rbtree: ok\n");
  return 0;
}
