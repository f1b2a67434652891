/* Linked lists of malloc'd nodes scattered in memory: build a list in shuffled allocation
 * order, walk it, reverse it, merge-sort it, unlink every second node; checks a running sum. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define COUNT 5000
#define ROUNDS 500
struct node { struct node *next; uint32_t key; uint32_t payload[5]; };

static uint64_t rng = 0x853c49e6748fea9bull;
static uint32_t rand32(void) { rng = rng * 6364136223846793005ull + 1442695040888963407ull; return (uint32_t)(rng >> 33); }

static struct node *merge(struct node *a, struct node *b) {
  struct node head, *t = &head;
  while (a && b) {
    if (a->key <= b->key) { t->next = a; a = a->next; } else { t->next = b; b = b->next; }
    t = t->next;
  }
  t->next = a ? a : b;
  return head.next;
}

static struct node *sort(struct node *l) {  /* top-down merge sort, split by slow/fast walk */
  if (!l || !l->next) return l;
  struct node *slow = l, *fast = l->next;
  while (fast && fast->next) { slow = slow->next; fast = fast->next->next; }
  struct node *right = slow->next;
  slow->next = NULL;
  return merge(sort(l), sort(right));
}

int main(void) {
  static struct node *pool[COUNT];
  uint64_t check = 0;
  for (int round = 0; round < ROUNDS; round++) {
    for (int i = 0; i < COUNT; i++) {
      pool[i] = malloc(sizeof(struct node));
      pool[i]->key = rand32() % 1000000;
      for (int k = 0; k < 5; k++) pool[i]->payload[k] = i + k;
    }
    for (int i = COUNT - 1; i > 0; i--) {  /* link in a random order: each step jumps in memory */
      int j = rand32() % (i + 1);
      struct node *t = pool[i]; pool[i] = pool[j]; pool[j] = t;
    }
    struct node *list = NULL;
    for (int i = 0; i < COUNT; i++) { pool[i]->next = list; list = pool[i]; }
    for (int walk = 0; walk < 8; walk++)
      for (struct node *p = list; p; p = p->next) check += p->key ^ p->payload[walk % 5];
    struct node *rev = NULL;
    while (list) { struct node *n = list->next; list->next = rev; rev = list; list = n; }
    list = sort(rev);
    uint32_t prev = 0, pos = 0;
    for (struct node *p = list; p; p = p->next, pos++) {
      if (p->key < prev) { printf("list: not sorted\n"); return 1; }
      prev = p->key;
      check += (uint64_t)p->key * (pos & 7);
    }
    for (struct node *p = list; p && p->next; p = p->next) {  /* unlink every other successor */
      struct node *dead = p->next;
      p->next = dead->next;
      check += dead->key;
      free(dead);
    }
    while (list) { struct node *n = list->next; check ^= list->key; free(list); list = n; }
  }
  printf("list: checksum %llu\n", (unsigned long long)check);
  if (check != 14996622482137ull) { printf("list: MISMATCH\n"); return 1; }
  printf("list: ok\n");
  return 0;
}
