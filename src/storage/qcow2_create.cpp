#include "storage/qcow2_create.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <vector>

#include "storage/big_endian.h"
#include "storage/host_file.h"
#include "storage/qcow2_format.h"

namespace vessel::storage::qcow2 {
namespace {

uint64_t div_up(uint64_t a, uint64_t b) { return (a + b - 1) / b; }

// Header, extensions and backing name, laid out in the first cluster.
Result<std::vector<uint8_t>> header_cluster(const CreateOptions& o, uint32_t cluster_bits, uint64_t l1_entries,
                                            uint64_t l1_offset, uint64_t rt_offset, uint64_t rt_clusters) {
  const uint64_t cs = 1ull << cluster_bits;
  std::vector<uint8_t> buf(cs, 0);
  uint8_t* p = buf.data();
  store_be32(p, kMagic);
  store_be32(p + 4, o.version);
  store_be32(p + 20, cluster_bits);
  store_be64(p + 24, o.size);
  store_be32(p + 36, static_cast<uint32_t>(l1_entries));
  store_be64(p + 40, l1_offset);
  store_be64(p + 48, rt_offset);
  store_be32(p + 56, static_cast<uint32_t>(rt_clusters));
  uint64_t off = kV2HeaderLength;
  if (o.version == 3) {
    store_be32(p + 96, static_cast<uint32_t>(std::countr_zero(o.refcount_bits)));
    // 104 bytes of fields plus compression_type (0 = zlib) and padding, as current QEMU writes.
    store_be32(p + 100, 112);
    off = 112;
  }
  auto add_extension = [&](uint32_t type, const std::string& data) -> bool {
    const uint64_t padded = (data.size() + 7) & ~7ull;
    if (off + 8 + padded > cs) return false;
    store_be32(p + off, type);
    store_be32(p + off + 4, static_cast<uint32_t>(data.size()));
    memcpy(p + off + 8, data.data(), data.size());
    off += 8 + padded;
    return true;
  };
  if (!o.backing_format.empty() && !add_extension(kExtBackingFormat, o.backing_format))
    return Error{"backing format name does not fit the first cluster"};
  off += 8;  // end-of-extensions marker (zeros)
  if (!o.backing_file.empty()) {
    if (o.backing_file.size() > kMaxBackingNameLength)
      return Error{"backing file name is longer than 1023 bytes"};
    if (off + o.backing_file.size() > cs) return Error{"backing file name does not fit the first cluster"};
    store_be64(p + 8, off);
    store_be32(p + 16, static_cast<uint32_t>(o.backing_file.size()));
    memcpy(p + off, o.backing_file.data(), o.backing_file.size());
  }
  return buf;
}

}  // namespace

Result<bool> create_image(const std::string& path, const CreateOptions& o) {
  if (!std::has_single_bit(o.cluster_size) || o.cluster_size < (1u << kMinClusterBits) ||
      o.cluster_size > (1u << kMaxClusterBits))
    return Error{"cluster size must be a power of two between 512 and 2097152 bytes"};
  if (o.version != 2 && o.version != 3) return Error{"qcow2 version must be 2 (compat=0.10) or 3 (compat=1.1)"};
  if (!std::has_single_bit(o.refcount_bits) || o.refcount_bits > 64)
    return Error{"refcount_bits must be a power of two between 1 and 64"};
  if (o.version == 2 && o.refcount_bits != 16) return Error{"qcow2 version 2 (compat=0.10) requires refcount_bits=16"};
  if (o.size % 512 != 0) return Error{"image size must be a multiple of 512 bytes"};
  const uint32_t cluster_bits = static_cast<uint32_t>(std::countr_zero(o.cluster_size));
  const uint64_t cs = o.cluster_size;
  const uint64_t l2_span = cs * (cs / 8);
  const uint64_t l1_entries = div_up(o.size, l2_span);
  if (l1_entries * 8 > kMaxL1Bytes)
    return Error{"image size is too large for cluster size " + std::to_string(cs) + " (L1 table over 32 MiB)"};
  const uint64_t l1_clusters = div_up(l1_entries * 8, cs);  // none for an empty disk, as QEMU
  const uint64_t refblock_entries = cs * 8 / o.refcount_bits;

  // Layout: header | refcount table | refcount blocks | L1. The table and blocks must cover
  // every cluster of that layout, themselves included: iterate to a fixed point.
  uint64_t rt_clusters = 1, blocks = 1;
  for (;;) {
    const uint64_t total = 1 + rt_clusters + blocks + l1_clusters;
    const uint64_t need_blocks = div_up(total, refblock_entries);
    const uint64_t need_rt = div_up(need_blocks * 8, cs);
    if (need_blocks == blocks && need_rt == rt_clusters) break;
    blocks = need_blocks;
    rt_clusters = need_rt;
  }
  if (rt_clusters * cs > kMaxRefcountTableBytes) return Error{"image is too large for its refcount table"};
  const uint64_t rt_offset = cs;
  const uint64_t blocks_offset = rt_offset + rt_clusters * cs;
  const uint64_t l1_offset = l1_clusters ? blocks_offset + blocks * cs : 0;
  const uint64_t total = 1 + rt_clusters + blocks + l1_clusters;

  auto header = header_cluster(o, cluster_bits, l1_entries, l1_offset, rt_offset, rt_clusters);
  if (!header) return Error{header.error()};

  std::vector<uint8_t> meta((total - 1) * cs, 0);  // everything after the header cluster
  for (uint64_t b = 0; b < blocks; ++b) store_be64(&meta[b * 8], blocks_offset + b * cs);
  uint8_t* blockp = meta.data() + (blocks_offset - cs);
  for (uint64_t c = 0; c < total; ++c) {
    const uint64_t bit = c * o.refcount_bits;
    switch (o.refcount_bits) {
      case 8: blockp[c] = 1; break;
      case 16: store_be16(blockp + c * 2, 1); break;
      case 32: store_be32(blockp + c * 4, 1); break;
      case 64: store_be64(blockp + c * 8, 1); break;
      default: blockp[bit / 8] = static_cast<uint8_t>(blockp[bit / 8] | (1u << (bit % 8)));
    }
  }

  auto file = HostFile::create(path);
  if (!file) return Error{file.error()};
  if (!file->write_all(0, header->data(), header->size()).ok() ||
      !file->write_all(cs, meta.data(), meta.size()).ok() || !file->sync().ok())
    return Error{"cannot write '" + path + "'"};
  return true;
}

}  // namespace vessel::storage::qcow2
