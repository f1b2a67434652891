#include "random_program.h"

#include "cpu/riscv/decoder.h"

namespace vessel::jit::test {
namespace {

using riscv::Encoding;

std::vector<const Encoding*> all_encodings() {
  std::vector<const Encoding*> out;
  for (const riscv::EncodingTable& table : riscv::encoding_tables())
    for (const Encoding& e : table.rows)
      if (std::string_view(e.name) != "wfi") out.push_back(&e);
  return out;
}

uint32_t with_forward_branch(uint32_t w, unsigned offset) {
  // B-type immediate: imm[12|10:5] in 31:25, imm[4:1|11] in 11:7; small positive offsets.
  w &= ~(0xfe000f80u);
  return w | (((offset >> 5) & 0x3f) << 25) | (((offset >> 1) & 0xf) << 8) | (((offset >> 11) & 1) << 7);
}

uint32_t with_forward_jump(uint32_t w, unsigned offset) {
  w &= 0xfffu;  // keep rd and opcode
  return w | (((offset >> 1) & 0x3ff) << 21) | (((offset >> 11) & 1) << 20) | (offset & 0xff000);
}

}  // namespace

RandomProgram make_random_program(std::mt19937_64& rng, unsigned instructions) {
  static const std::vector<const Encoding*> encodings = all_encodings();
  const riscv::Decoder& decoder = riscv::Decoder::for_cpu(riscv::kFullCpu);
  RandomProgram p;
  p.mode = static_cast<RandomProgram::Mode>(rng() % 3);
  // Start somewhere in the code page so that some programs run across the page boundary.
  p.entry = kCodePage + ((rng() % 2048) & ~1ull) + (rng() & 1 ? 2048 : 0);
  for (unsigned i = 0; i < instructions; ++i) {
    if (rng() % 4 == 0) {  // compressed
      uint16_t h;
      do h = static_cast<uint16_t>(rng());
      while ((h & 3) == 3 || !decoder.expand(h));
      p.code.push_back(h & 0xff);
      p.code.push_back(h >> 8);
      continue;
    }
    const Encoding* e = encodings[rng() % encodings.size()];
    uint32_t w = e->match | (static_cast<uint32_t>(rng()) & ~e->mask);
    const std::string_view name = e->name;
    const unsigned fwd = 4 + 2 * static_cast<unsigned>(rng() % 24);
    if ((w & 0x7f) == 0x63) w = with_forward_branch(w, fwd);
    if (name == "jal") w = with_forward_jump(w, fwd);
    // Mostly valid rounding modes (5 and 6 are reserved: a few stay to test the trap).
    if ((w & 0x7f) == 0x53 || (w & 0x73) == 0x43)
      if (((w >> 12) & 7) >= 5 && rng() % 8) w = (w & ~(7u << 12)) | ((rng() % 5) << 12);
    // The time CSR follows the host clock: read cycle instead, which is deterministic.
    if ((w & 0x7f) == 0x73 && ((w >> 12) & 3) && (w >> 20) == 0xc01) w = (w & 0xfffff) | (0xc00u << 20);
    // Budgets count retired instructions: a program writing minstret would move the count
    // the engines are stopped by (differently for a block than for single steps).
    if ((w & 0x7f) == 0x73 && ((w >> 12) & 3) && (w >> 20) == 0xb02) w = (w & 0xfffff) | (0xc02u << 20);
    for (int b = 0; b < 4; ++b) p.code.push_back(static_cast<uint8_t>(w >> (8 * b)));
  }
  // Registers: data pointers near page boundaries (page-crossing accesses), small and
  // random values.
  for (unsigned r = 1; r < 32; ++r) {
    switch (rng() % 4) {
      case 0:
      case 1: {
        const uint64_t page = kDataBase + (rng() % kDataPages) * 4096;
        p.x[r] = rng() % 3 ? page + (rng() % 4096) : page - 8 + rng() % 16;
        break;
      }
      case 2: p.x[r] = rng() % 64 - 32; break;
      default: p.x[r] = rng(); break;
    }
  }
  for (auto& v : p.f) v = rng() % 2 ? (~0ull << 32) | (rng() & 0xffffffff) : rng();
  p.frm = static_cast<uint8_t>(rng() % 5);
  constexpr uint64_t kCbo = (3u << 4) | (1u << 6) | (1u << 7), kPbmte = 1ull << 62;
  p.menvcfg = (rng() % 4 ? kCbo : rng() & kCbo) | (rng() & kPbmte);
  p.senvcfg = rng() % 2 ? kCbo : rng() & kCbo;
  p.data.resize(kDataPages * 4096);
  for (auto& b : p.data) b = static_cast<uint8_t>(rng());
  return p;
}

}  // namespace vessel::jit::test
