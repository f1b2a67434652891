// zlib (raw deflate) decompression of qcow2 compressed clusters.
#pragma once
#include <cstddef>
#include <cstdint>

namespace vessel::storage::qcow2 {

// Inflates `in` into exactly `out_len` bytes. False when the data is not a valid deflate
// stream or produces fewer bytes than a cluster.
bool inflate_cluster(const uint8_t* in, size_t in_len, uint8_t* out, size_t out_len);

}  // namespace vessel::storage::qcow2
