// Little-endian serialisation of component state for snapshots (ARCHITECTURE.md example 7:
// persist per component). A component writes its fields in a fixed order with StateWriter and
// reads them back with StateReader; every read is bounds-checked, so a truncated or garbled
// section makes the reader fail with a message instead of reading past the end.
// Header-only and dependency-free so any layer (cpu, devices) can persist itself.
#pragma once
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace vessel::snapshot {

class StateWriter {
 public:
  void u8(uint8_t v) { raw(&v, 1); }
  void u16(uint16_t v) { le(v, 2); }
  void u32(uint32_t v) { le(v, 4); }
  void u64(uint64_t v) { le(v, 8); }
  void boolean(bool v) { u8(v ? 1 : 0); }
  void bytes(const void* data, size_t len) {
    u64(len);
    raw(data, len);
  }
  void string(const std::string& s) { bytes(s.data(), s.size()); }
  void raw(const void* data, size_t len) {
    const auto* p = static_cast<const uint8_t*>(data);
    buf_.insert(buf_.end(), p, p + len);
  }
  void reserve(size_t bytes) { buf_.reserve(bytes); }
  const std::vector<uint8_t>& data() const { return buf_; }
  std::vector<uint8_t> take() { return std::move(buf_); }

 private:
  void le(uint64_t v, unsigned n) {
    for (unsigned i = 0; i < n; ++i) buf_.push_back(static_cast<uint8_t>(v >> (8 * i)));
  }
  std::vector<uint8_t> buf_;
};

class StateReader {
 public:
  StateReader(const uint8_t* data, size_t len, std::string what) : p_(data), end_(data + len), what_(std::move(what)) {}

  uint8_t u8() { return static_cast<uint8_t>(le(1)); }
  uint16_t u16() { return static_cast<uint16_t>(le(2)); }
  uint32_t u32() { return static_cast<uint32_t>(le(4)); }
  uint64_t u64() { return le(8); }
  bool boolean() {
    const uint8_t v = u8();
    if (v > 1) fail("boolean field is " + std::to_string(v));
    return v == 1;
  }
  // A length-prefixed byte string of at most `max` bytes.
  std::vector<uint8_t> bytes(size_t max) {
    const uint64_t n = u64();
    if (n > max || n > remaining()) {
      fail("byte string of " + std::to_string(n) + " bytes does not fit");
      return {};
    }
    std::vector<uint8_t> out(p_, p_ + n);
    p_ += n;
    return out;
  }
  std::string string(size_t max) {
    const auto b = bytes(max);
    return std::string(b.begin(), b.end());
  }
  void raw(void* out, size_t len) {
    if (len > remaining()) {
      fail("truncated");
      memset(out, 0, len);
      return;
    }
    memcpy(out, p_, len);
    p_ += len;
  }
  // Points at the next `len` bytes and moves past them (nullptr, and an error, if truncated).
  const uint8_t* take(size_t len) {
    if (len > remaining()) {
      fail("truncated");
      return nullptr;
    }
    const uint8_t* at = p_;
    p_ += len;
    return at;
  }
  // A value that must lie in [0, limit): records an error otherwise.
  uint64_t bounded(uint64_t v, uint64_t limit, const char* field) {
    if (v >= limit) fail(std::string(field) + " out of range (" + std::to_string(v) + ")");
    return v;
  }

  size_t remaining() const { return static_cast<size_t>(end_ - p_); }
  bool ok() const { return error_.empty(); }
  // Call after the last field: the component must have consumed exactly its section.
  bool finish() {
    if (ok() && remaining() != 0) fail(std::to_string(remaining()) + " unexpected trailing bytes");
    return ok();
  }
  const std::string& error() const { return error_; }
  void fail(const std::string& why) {
    if (error_.empty()) error_ = what_ + ": " + why;
    p_ = end_;
  }

 private:
  uint64_t le(unsigned n) {
    if (n > remaining()) {
      fail("truncated");
      return 0;
    }
    uint64_t v = 0;
    for (unsigned i = 0; i < n; ++i) v |= uint64_t{p_[i]} << (8 * i);
    p_ += n;
    return v;
  }
  const uint8_t* p_;
  const uint8_t* end_;
  std::string what_;
  std::string error_;
};

}  // namespace vessel::snapshot
