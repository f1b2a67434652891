// RV64A: LR/SC and AMOs on host atomics, so harts on different host threads stay coherent.
// SC succeeds if the reserved word still holds the value LR saw (compare-and-swap).
#include "cpu/riscv/decoder.h"
#include "cpu/riscv/hart.h"
#include "cpu/riscv/insn_fields.h"

namespace vessel::riscv {
namespace {

using namespace field;

template <typename T>
uint64_t extend(T v) {  // W results are sign-extended
  return static_cast<uint64_t>(static_cast<int64_t>(static_cast<std::make_signed_t<T>>(v)));
}

template <typename T>
void lr(Hart& h, uint32_t i) {
  uint8_t* p = h.atomic_ptr(h.x[rs1(i)], sizeof(T), true);
  if (!p) return;
  const T v = __atomic_load_n(reinterpret_cast<T*>(p), __ATOMIC_SEQ_CST);
  h.reservation = p;
  h.reservation_value = v;
  h.x[rd(i)] = extend(v);
}

template <typename T>
void sc(Hart& h, uint32_t i) {
  uint8_t* p = h.atomic_ptr(h.x[rs1(i)], sizeof(T), false);
  if (!p) return;
  bool ok = false;
  if (h.reservation == p) {
    T expected = static_cast<T>(h.reservation_value);
    ok = __atomic_compare_exchange_n(reinterpret_cast<T*>(p), &expected, static_cast<T>(h.x[rs2(i)]), false,
                                     __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
  }
  h.reservation = nullptr;
  h.x[rd(i)] = ok ? 0 : 1;
}

enum class Op { Swap, Add, Xor, And, Or, Min, Max, Minu, Maxu };

template <typename T, Op op>
T apply(T old, T src) {
  using S = std::make_signed_t<T>;
  switch (op) {
    case Op::Swap: return src;
    case Op::Add: return old + src;
    case Op::Xor: return old ^ src;
    case Op::And: return old & src;
    case Op::Or: return old | src;
    case Op::Min: return static_cast<S>(old) < static_cast<S>(src) ? old : src;
    case Op::Max: return static_cast<S>(old) > static_cast<S>(src) ? old : src;
    case Op::Minu: return old < src ? old : src;
    case Op::Maxu: return old > src ? old : src;
  }
  return old;
}

template <typename T, Op op>
void amo(Hart& h, uint32_t i) {
  uint8_t* p = h.atomic_ptr(h.x[rs1(i)], sizeof(T), false);
  if (!p) return;
  T* word = reinterpret_cast<T*>(p);
  const T src = static_cast<T>(h.x[rs2(i)]);
  T old;
  switch (op) {
    case Op::Swap: old = __atomic_exchange_n(word, src, __ATOMIC_SEQ_CST); break;
    case Op::Add: old = __atomic_fetch_add(word, src, __ATOMIC_SEQ_CST); break;
    case Op::Xor: old = __atomic_fetch_xor(word, src, __ATOMIC_SEQ_CST); break;
    case Op::And: old = __atomic_fetch_and(word, src, __ATOMIC_SEQ_CST); break;
    case Op::Or: old = __atomic_fetch_or(word, src, __ATOMIC_SEQ_CST); break;
    default:
      old = __atomic_load_n(word, __ATOMIC_RELAXED);
      while (!__atomic_compare_exchange_n(word, &old, apply<T, op>(old, src), true, __ATOMIC_SEQ_CST,
                                          __ATOMIC_RELAXED)) {
      }
  }
  h.x[rd(i)] = extend(old);
}

// aq/rl (bits 26:25) are accepted and satisfied by the sequentially consistent host atomics.
constexpr Encoding kTable[] = {
    encoding("lr.w", "00010 ?? 00000 ????? 010 ????? 0101111", lr<uint32_t>),
    encoding("sc.w", "00011 ?? ????? ????? 010 ????? 0101111", sc<uint32_t>),
    encoding("amoswap.w", "00001 ?? ????? ????? 010 ????? 0101111", amo<uint32_t, Op::Swap>),
    encoding("amoadd.w", "00000 ?? ????? ????? 010 ????? 0101111", amo<uint32_t, Op::Add>),
    encoding("amoxor.w", "00100 ?? ????? ????? 010 ????? 0101111", amo<uint32_t, Op::Xor>),
    encoding("amoand.w", "01100 ?? ????? ????? 010 ????? 0101111", amo<uint32_t, Op::And>),
    encoding("amoor.w", "01000 ?? ????? ????? 010 ????? 0101111", amo<uint32_t, Op::Or>),
    encoding("amomin.w", "10000 ?? ????? ????? 010 ????? 0101111", amo<uint32_t, Op::Min>),
    encoding("amomax.w", "10100 ?? ????? ????? 010 ????? 0101111", amo<uint32_t, Op::Max>),
    encoding("amominu.w", "11000 ?? ????? ????? 010 ????? 0101111", amo<uint32_t, Op::Minu>),
    encoding("amomaxu.w", "11100 ?? ????? ????? 010 ????? 0101111", amo<uint32_t, Op::Maxu>),
    encoding("lr.d", "00010 ?? 00000 ????? 011 ????? 0101111", lr<uint64_t>),
    encoding("sc.d", "00011 ?? ????? ????? 011 ????? 0101111", sc<uint64_t>),
    encoding("amoswap.d", "00001 ?? ????? ????? 011 ????? 0101111", amo<uint64_t, Op::Swap>),
    encoding("amoadd.d", "00000 ?? ????? ????? 011 ????? 0101111", amo<uint64_t, Op::Add>),
    encoding("amoxor.d", "00100 ?? ????? ????? 011 ????? 0101111", amo<uint64_t, Op::Xor>),
    encoding("amoand.d", "01100 ?? ????? ????? 011 ????? 0101111", amo<uint64_t, Op::And>),
    encoding("amoor.d", "01000 ?? ????? ????? 011 ????? 0101111", amo<uint64_t, Op::Or>),
    encoding("amomin.d", "10000 ?? ????? ????? 011 ????? 0101111", amo<uint64_t, Op::Min>),
    encoding("amomax.d", "10100 ?? ????? ????? 011 ????? 0101111", amo<uint64_t, Op::Max>),
    encoding("amominu.d", "11000 ?? ????? ????? 011 ????? 0101111", amo<uint64_t, Op::Minu>),
    encoding("amomaxu.d", "11100 ?? ????? ????? 011 ????? 0101111", amo<uint64_t, Op::Maxu>),
};

}  // namespace

std::span<const Encoding> rv64a_encodings() { return kTable; }

}  // namespace vessel::riscv
