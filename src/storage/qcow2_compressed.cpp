#include "storage/qcow2_compressed.h"

#include <zlib.h>

namespace vessel::storage::qcow2 {

bool inflate_cluster(const uint8_t* in, size_t in_len, uint8_t* out, size_t out_len) {
  z_stream s{};
  // Negative window bits: raw deflate without a zlib header, as qcow2 stores it. The largest
  // window accepts streams compressed with any smaller one.
  if (inflateInit2(&s, -15) != Z_OK) return false;
  s.next_in = const_cast<Bytef*>(in);
  s.avail_in = static_cast<uInt>(in_len);
  s.next_out = out;
  s.avail_out = static_cast<uInt>(out_len);
  const int r = inflate(&s, Z_FINISH);
  const bool full = s.avail_out == 0;
  inflateEnd(&s);
  // The stream may carry padding after the cluster's data: a full output buffer is success.
  return full && (r == Z_STREAM_END || r == Z_OK || r == Z_BUF_ERROR);
}

}  // namespace vessel::storage::qcow2
