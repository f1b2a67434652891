/* HTIF console: tohost = (1 << 56) | (1 << 48) | char for each char, then pass. */
  .section .text.init, "ax", @progbits
  .globl _start
_start:
  la s0, msg
  la s1, tohost
  li s2, (1 << 56) | (1 << 48)
next:
  lbu t0, 0(s0)
  beqz t0, done
  or t0, t0, s2
  call put
  addi s0, s0, 1
  j next
done:
  li t0, 1
  call put
1:
  j 1b

/* Like riscv-tests' do_tohost: wait until the host has consumed the previous request
   (it clears tohost), then post the new one. */
put:
  la t2, fromhost
wait:
  ld t1, 0(s1)
  beqz t1, 2f
  sd zero, 0(t2)
  j wait
2:
  sd t0, 0(s1)
  ret

  .data
msg: .string "hello from htif\n"

  .section .tohost, "aw", @progbits
  .balign 64
  .globl tohost
tohost: .dword 0
  .size tohost, 8
  .balign 64
  .globl fromhost
fromhost: .dword 0
  .size fromhost, 8
