// 9P messages on the wire: little-endian integers, strings as a 16-bit length and bytes, qids
// as 13 bytes. The reader never reads past its buffer: a short message sets a flag the
// server turns into EINVAL (or drops, when even the header is missing).
#pragma once
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace vessel::devices::virtio::p9 {

struct Qid {
  uint8_t type = 0;  // kQt* (protocol.h)
  uint32_t version = 0;
  uint64_t path = 0;
};

class WireReader {
 public:
  WireReader(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  uint8_t u8() { return static_cast<uint8_t>(take(1)); }
  uint16_t u16() { return static_cast<uint16_t>(take(2)); }
  uint32_t u32() { return static_cast<uint32_t>(take(4)); }
  uint64_t u64() { return take(8); }
  std::string str() {
    const uint16_t n = u16();
    if (!fits(n)) return {};
    std::string s(reinterpret_cast<const char*>(data_ + pos_), n);
    pos_ += n;
    return s;
  }
  // `n` bytes in place (Twrite's payload); nullptr if the message is shorter.
  const uint8_t* bytes(size_t n) {
    if (!fits(n)) return nullptr;
    const uint8_t* p = data_ + pos_;
    pos_ += n;
    return p;
  }
  bool ok() const { return ok_; }
  size_t remaining() const { return size_ - pos_; }

 private:
  bool fits(size_t n) {
    if (!ok_ || n > size_ - pos_) ok_ = false;
    return ok_;
  }
  uint64_t take(unsigned n) {
    if (!fits(n)) return 0;
    uint64_t v = 0;
    for (unsigned i = 0; i < n; ++i) v |= static_cast<uint64_t>(data_[pos_ + i]) << (8 * i);
    pos_ += n;
    return v;
  }
  const uint8_t* data_;
  size_t size_, pos_ = 0;
  bool ok_ = true;
};

// Builds one reply in a caller-owned vector; finish() writes the size field.
class WireWriter {
 public:
  explicit WireWriter(std::vector<uint8_t>& out) : out_(out) {}
  void begin(uint8_t type, uint16_t tag) {
    out_.clear();
    u32(0);
    u8(type);
    u16(tag);
  }
  void u8(uint8_t v) { put(v, 1); }
  void u16(uint16_t v) { put(v, 2); }
  void u32(uint32_t v) { put(v, 4); }
  void u64(uint64_t v) { put(v, 8); }
  void str(std::string_view s) {
    u16(static_cast<uint16_t>(s.size()));
    out_.insert(out_.end(), s.begin(), s.end());
  }
  void qid(const Qid& q) {
    u8(q.type);
    u32(q.version);
    u64(q.path);
  }
  void bytes(const void* p, size_t n) {
    const auto* b = static_cast<const uint8_t*>(p);
    out_.insert(out_.end(), b, b + n);
  }
  size_t size() const { return out_.size(); }
  // Fills in a count written before the data it counts (Rreaddir).
  void patch_u32(size_t at, uint32_t v) {
    for (unsigned i = 0; i < 4; ++i) out_[at + i] = static_cast<uint8_t>(v >> (8 * i));
  }
  void finish() { patch_u32(0, static_cast<uint32_t>(out_.size())); }

 private:
  void put(uint64_t v, unsigned n) {
    for (unsigned i = 0; i < n; ++i) out_.push_back(static_cast<uint8_t>(v >> (8 * i)));
  }
  std::vector<uint8_t>& out_;
};

}  // namespace vessel::devices::virtio::p9
