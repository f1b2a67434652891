#include "migration/stream.h"

#include <xxhash.h>

#include <cstring>

namespace vessel::migration {
namespace {

constexpr char kMagic[8] = {'V', 'S', 'L', 'M', 'I', 'G', 'R', '\x1a'};

void put_le(uint8_t* p, uint64_t v, unsigned n) {
  for (unsigned i = 0; i < n; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}
uint64_t get_le(const uint8_t* p, unsigned n) {
  uint64_t v = 0;
  for (unsigned i = 0; i < n; ++i) v |= uint64_t{p[i]} << (8 * i);
  return v;
}

}  // namespace

std::string record_name(uint32_t type) {
  std::string s;
  for (int i = 0; i < 4; ++i) {
    const char c = static_cast<char>(type >> (8 * i));
    s += (c >= 0x20 && c < 0x7f) ? c : '?';
  }
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

Result<bool> send_header(Channel& ch) {
  uint8_t h[16];
  memcpy(h, kMagic, 8);
  put_le(h + 8, kStreamVersion, 4);
  put_le(h + 12, 0, 4);
  return ch.send(h, sizeof h);
}

Result<bool> receive_header(Channel& ch, int timeout_ms) {
  uint8_t h[16];
  if (auto r = ch.receive(h, sizeof h, timeout_ms); !r) return r;
  if (memcmp(h, kMagic, 8) != 0) return Error{"not a Vessel migration stream (bad magic)"};
  const uint64_t version = get_le(h + 8, 4);
  if (version != kStreamVersion)
    return Error{"migration stream version " + std::to_string(version) + " is not supported (this Vessel speaks " +
                 std::to_string(kStreamVersion) + ")"};
  return true;
}

Result<bool> send_record(Channel& ch, RecordType type, const std::vector<std::pair<const void*, size_t>>& pieces) {
  uint64_t len = 0;
  for (const auto& p : pieces) len += p.second;
  uint8_t h[16];
  put_le(h, static_cast<uint32_t>(type), 4);
  put_le(h + 4, 0, 4);
  put_le(h + 8, len, 8);
  XXH3_state_t* st = XXH3_createState();
  XXH3_64bits_reset(st);
  XXH3_64bits_update(st, h, sizeof h);
  for (const auto& p : pieces) XXH3_64bits_update(st, p.first, p.second);
  uint8_t sum[8];
  put_le(sum, XXH3_64bits_digest(st), 8);
  XXH3_freeState(st);
  if (auto r = ch.send(h, sizeof h); !r) return r;
  for (const auto& p : pieces)
    if (auto r = ch.send(p.first, p.second); !r) return r;
  return ch.send(sum, sizeof sum);
}

Result<bool> send_record(Channel& ch, RecordType type, const std::string& text) {
  return send_record(ch, type, {{text.data(), text.size()}});
}

Result<Record> receive_record(Channel& ch, int timeout_ms) {
  uint8_t h[16];
  if (auto r = ch.receive(h, sizeof h, timeout_ms); !r) return Error{r.error()};
  Record rec;
  rec.type = static_cast<uint32_t>(get_le(h, 4));
  const uint64_t len = get_le(h + 8, 8);
  if (get_le(h + 4, 4) != 0) return Error{"malformed migration stream: reserved bits set in a record header"};
  if (len > kMaxRecordBytes)
    return Error{"malformed migration stream: record " + record_name(rec.type) + " of " + std::to_string(len) +
                 " bytes is too long"};
  rec.payload.resize(len);
  if (auto r = ch.receive(rec.payload.data(), len, timeout_ms); !r) return Error{r.error()};
  uint8_t sum[8];
  if (auto r = ch.receive(sum, sizeof sum, timeout_ms); !r) return Error{r.error()};
  XXH3_state_t* st = XXH3_createState();
  XXH3_64bits_reset(st);
  XXH3_64bits_update(st, h, sizeof h);
  XXH3_64bits_update(st, rec.payload.data(), rec.payload.size());
  const uint64_t want = XXH3_64bits_digest(st);
  XXH3_freeState(st);
  if (get_le(sum, 8) != want)
    return Error{"malformed migration stream: checksum mismatch in record " + record_name(rec.type)};
  return rec;
}

}  // namespace vessel::migration
