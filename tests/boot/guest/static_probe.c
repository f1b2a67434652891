// Configure-time probe: can the cross compiler link a static program with pthreads?
#include <pthread.h>
static void* run(void* arg) { return arg; }
int main(void) {
  pthread_t t;
  return pthread_create(&t, 0, run, 0) || pthread_join(t, 0);
}
