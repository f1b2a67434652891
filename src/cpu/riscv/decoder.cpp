#include "cpu/riscv/decoder.h"

namespace vessel::riscv {

Decoder::Decoder() : compressed_(1u << 16, 0) {
  const std::span<const Encoding> tables[] = {rv64i_encodings(), rv64m_encodings(), rv64a_encodings(),
                                              rv64f_encodings(), rv64d_encodings(), system_encodings()};
  // Bucket by opcode and funct3; an encoding that leaves funct3 open (rm fields) lands in several.
  constexpr uint32_t kBucketBits = (31u << 2) | (7u << 12);
  for (unsigned b = 0; b < buckets_.size(); ++b) {
    const uint32_t key = ((b >> 3) << 2) | ((b & 7) << 12) | 3;
    for (const auto& table : tables)
      for (const Encoding& e : table)
        if (((key ^ e.match) & e.mask & (kBucketBits | 3)) == 0) buckets_[b].push_back(&e);
  }
  for (uint32_t h = 0; h < (1u << 16); ++h)
    if ((h & 3) != 3) compressed_[h] = expand_compressed(static_cast<uint16_t>(h));
}

const Encoding* Decoder::find(uint32_t insn) const {
  if ((insn & 3) != 3) return nullptr;
  for (const Encoding* e : buckets_[bucket(insn)])
    if ((insn & e->mask) == e->match) return e;
  return nullptr;
}

const Decoder& Decoder::instance() {
  static const Decoder decoder;
  return decoder;
}

}  // namespace vessel::riscv
