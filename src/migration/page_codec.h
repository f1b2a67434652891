// Guest pages in PAGE records. A record holds runs of consecutive pages, each either all
// zero (a marker, no data) or data; the data of all data runs follows the run table, raw or
// as one zstd frame. The decoder checks the whole record (runs inside guest memory, data
// length, frame size) before it writes a byte.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "common/result.h"

struct ZSTD_CCtx_s;
struct ZSTD_DCtx_s;

namespace vessel::migration {

constexpr uint64_t kPageBytes = 4096;
constexpr size_t kPagesPerRecord = 256;  // 1 MiB of data at most

struct PageBatch {
  std::vector<uint8_t> payload;
  uint64_t data_pages = 0, zero_pages = 0;
};

class PageEncoder {
 public:
  explicit PageEncoder(bool compress);
  ~PageEncoder();
  PageEncoder(const PageEncoder&) = delete;
  PageEncoder& operator=(const PageEncoder&) = delete;

  // Encodes pages[0..n) (ascending indices into the memory at `host`, n <= kPagesPerRecord).
  // `absent[i]`, when given, says page i is known to be zero without reading it (not resident).
  void encode(const uint8_t* host, const uint64_t* pages, size_t n, const unsigned char* absent, PageBatch& out);

 private:
  ZSTD_CCtx_s* cctx_ = nullptr;
  std::vector<uint8_t> data_;
};

class PageDecoder {
 public:
  PageDecoder(uint8_t* host, uint64_t pages);
  ~PageDecoder();
  PageDecoder(const PageDecoder&) = delete;
  PageDecoder& operator=(const PageDecoder&) = delete;

  Result<bool> apply(const uint8_t* payload, size_t len);
  uint64_t data_pages() const { return data_pages_; }
  uint64_t zero_pages() const { return zero_pages_; }

 private:
  uint8_t* host_;
  uint64_t pages_;
  std::vector<bool> written_;  // pages that may hold data (fresh memory reads as zero)
  ZSTD_DCtx_s* dctx_ = nullptr;
  std::vector<uint8_t> data_;
  uint64_t data_pages_ = 0, zero_pages_ = 0;
};

bool is_zero_page(const uint8_t* p);

}  // namespace vessel::migration
