#include "cpu/riscv/decoder.h"

namespace vessel::riscv {

std::span<const EncodingTable> encoding_tables() {
  static const EncodingTable tables[] = {
      {rv64i_encodings(), std::nullopt},
      {rv64m_encodings(), std::nullopt},
      {rv64a_encodings(), std::nullopt},
      {rv64f_encodings(), std::nullopt},
      {rv64d_encodings(), std::nullopt},
      {system_encodings(), std::nullopt, true},
      {zba_encodings(), Ext::Zba},
      {zbb_encodings(), Ext::Zbb},
      {zbs_encodings(), Ext::Zbs},
      {zicond_encodings(), Ext::Zicond},
      {zicbom_encodings(), Ext::Zicbom},
      {zicboz_encodings(), Ext::Zicboz},
      {zfhmin_encodings(), Ext::Zfhmin},
      {zfa_encodings(), Ext::Zfa},
      {zimop_encodings(), Ext::Zimop},
      {zawrs_encodings(), Ext::Zawrs, true},
      {svinval_encodings(), Ext::Svinval, true},
  };
  return tables;
}

Decoder::Decoder(ExtSet ext) : compressed_(1u << 16, 0), ext_(ext) {
  // Bucket by opcode and funct3; an encoding that leaves funct3 open (rm fields) lands in several.
  constexpr uint32_t kBucketBits = (31u << 2) | (7u << 12);
  for (unsigned b = 0; b < buckets_.size(); ++b) {
    const uint32_t key = ((b >> 3) << 2) | ((b & 7) << 12) | 3;
    for (const EncodingTable& table : encoding_tables()) {
      if (table.ext && !ext.has(*table.ext)) continue;
      for (const Encoding& e : table.rows)
        if (((key ^ e.match) & e.mask & (kBucketBits | 3)) == 0) buckets_[b].push_back(&e);
    }
  }
  for (uint32_t h = 0; h < (1u << 16); ++h)
    if ((h & 3) != 3) compressed_[h] = expand_compressed(static_cast<uint16_t>(h), ext);
}

const Encoding* Decoder::find(uint32_t insn) const {
  if ((insn & 3) != 3) return nullptr;
  for (const Encoding* e : buckets_[bucket(insn)])
    if ((insn & e->mask) == e->match) return e;
  return nullptr;
}

const Decoder& Decoder::for_cpu(CpuProfile cpu) {
  static const Decoder rv64gc(extensions_of(CpuProfile::Rv64gc));
  static const Decoder rva22(extensions_of(CpuProfile::Rva22));
  static const Decoder rva23(extensions_of(CpuProfile::Rva23));
  switch (cpu) {
    case CpuProfile::Rv64gc: return rv64gc;
    case CpuProfile::Rva22: return rva22;
    case CpuProfile::Rva23: break;
  }
  return rva23;
}

}  // namespace vessel::riscv
