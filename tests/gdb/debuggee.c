// A bare-metal program for the GDB stub's test: a function to break in, a global to watch,
// and the end through HTIF (tohost = 1: pass).
#include <stdint.h>

volatile uint64_t tohost __attribute__((section(".tohost"))) = 0;
volatile uint64_t fromhost __attribute__((section(".tohost"))) = 0;
volatile uint64_t counter = 0;
uint64_t stack[1024];
__asm__(".globl stack_top\n.set stack_top, stack + 8192");

__attribute__((noinline)) void count(uint64_t by) { counter = counter + by; }

__attribute__((noinline)) void finish(void) {
  tohost = 1;
  for (;;) {
  }
}

void main_loop(void) {
  for (uint64_t i = 1; i <= 3; ++i) count(i);
  finish();
}

__attribute__((naked, section(".text.init"))) void _start(void) {
  __asm__ volatile("lla sp, stack_top\n"
                   "j main_loop\n");
}
