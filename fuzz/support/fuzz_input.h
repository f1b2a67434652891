// A fuzz input read from the front, little-endian, as the seed generator (fuzz/seeds/) writes
// it: once the bytes run out every read returns zeros, so any input is a valid one.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace vessel::fuzz {

class FuzzInput {
 public:
  FuzzInput(const uint8_t* data, size_t size) : p_(data), end_(data + size) {}

  size_t remaining() const { return static_cast<size_t>(end_ - p_); }
  bool empty() const { return p_ == end_; }
  uint8_t u8() { return static_cast<uint8_t>(le(1)); }
  uint16_t u16() { return static_cast<uint16_t>(le(2)); }
  uint32_t u32() { return static_cast<uint32_t>(le(4)); }
  uint64_t u64() { return le(8); }
  // Up to `n` bytes (fewer at the end of the input).
  std::vector<uint8_t> bytes(size_t n) {
    n = n < remaining() ? n : remaining();
    std::vector<uint8_t> out(p_, p_ + n);
    p_ += n;
    return out;
  }
  // A length-prefixed (u16) string of at most `max` bytes.
  std::string string(size_t max) {
    const size_t n = u16() % (max + 1);
    const auto b = bytes(n);
    return std::string(b.begin(), b.end());
  }
  std::vector<uint8_t> rest() { return bytes(remaining()); }

 private:
  uint64_t le(unsigned n) {
    uint64_t v = 0;
    for (unsigned i = 0; i < n && p_ != end_; ++i) v |= uint64_t{*p_++} << (8 * i);
    return v;
  }
  const uint8_t* p_;
  const uint8_t* end_;
};

// What the seed generator uses to write inputs in that layout.
class FuzzInputWriter {
 public:
  FuzzInputWriter& u8(uint8_t v) { return le(v, 1); }
  FuzzInputWriter& u16(uint16_t v) { return le(v, 2); }
  FuzzInputWriter& u32(uint32_t v) { return le(v, 4); }
  FuzzInputWriter& u64(uint64_t v) { return le(v, 8); }
  FuzzInputWriter& bytes(const void* data, size_t n) {
    const auto* b = static_cast<const uint8_t*>(data);
    buf_.insert(buf_.end(), b, b + n);
    return *this;
  }
  FuzzInputWriter& bytes(const std::vector<uint8_t>& v) { return bytes(v.data(), v.size()); }
  FuzzInputWriter& string(const std::string& s) {
    u16(static_cast<uint16_t>(s.size()));
    return bytes(s.data(), s.size());
  }
  const std::vector<uint8_t>& data() const { return buf_; }

 private:
  FuzzInputWriter& le(uint64_t v, unsigned n) {
    for (unsigned i = 0; i < n; ++i) buf_.push_back(static_cast<uint8_t>(v >> (8 * i)));
    return *this;
  }
  std::vector<uint8_t> buf_;
};

}  // namespace vessel::fuzz
