// qcow2 header parsing: every field a later computation trusts is range-checked here, so the
// image code can use them without re-validating.
#include <algorithm>
#include <cstdio>
#include <cstring>

#include "storage/big_endian.h"
#include "storage/qcow2_format.h"

namespace vessel::storage::qcow2 {
namespace {

constexpr uint64_t kKnownIncompatible =
    kIncompatDirty | kIncompatCorrupt | kIncompatExternalData | kIncompatCompressionType | kIncompatExtendedL2;

bool aligned(uint64_t v, uint64_t cluster_size) { return (v & (cluster_size - 1)) == 0; }

// Names of feature bits, from the image's own feature name table when it has one.
struct FeatureName {
  uint8_t type;
  uint8_t bit;
  std::string name;
};

std::string describe_unknown(uint64_t bits, const std::vector<FeatureName>& table) {
  std::string out;
  for (unsigned b = 0; b < 64; ++b) {
    if (!(bits & (1ull << b))) continue;
    std::string name = "bit " + std::to_string(b);
    for (const auto& f : table)
      if (f.type == 0 && f.bit == b && !f.name.empty()) name = f.name + " (bit " + std::to_string(b) + ")";
    if (!out.empty()) out += ", ";
    out += name;
  }
  return out;
}

Error corrupt(const std::string& what) { return Error{"qcow2 image is corrupt: " + what}; }

}  // namespace

Geometry Geometry::of(const Header& h) {
  Geometry g{};
  g.cluster_bits = h.cluster_bits;
  g.cluster_size = 1ull << h.cluster_bits;
  g.l2_entries = g.cluster_size / 8;
  g.refcount_order = h.refcount_order;
  g.refblock_entries = g.cluster_size * 8 / (1ull << h.refcount_order);
  g.csize_shift = 62 - (h.cluster_bits - 8);
  g.csize_mask = (1ull << (h.cluster_bits - 8)) - 1;
  g.coffset_mask = (1ull << g.csize_shift) - 1;
  return g;
}

bool has_qcow2_magic(const uint8_t* buf, size_t len) { return len >= 4 && load_be32(buf) == kMagic; }

Result<Header> parse_header(const std::vector<uint8_t>& buf, uint64_t file_size) {
  if (buf.size() < kV2HeaderLength || !has_qcow2_magic(buf.data(), buf.size()))
    return Error{"not a qcow2 image (bad magic)"};
  if (file_size < kV2HeaderLength) return corrupt("the file is truncated (" + std::to_string(file_size) + " bytes)");
  const uint8_t* p = buf.data();
  Header h;
  h.version = load_be32(p + 4);
  if (h.version != 2 && h.version != 3)
    return Error{"unsupported qcow2 version " + std::to_string(h.version) + " (Vessel reads versions 2 and 3)"};
  h.backing_file_offset = load_be64(p + 8);
  h.backing_file_size = load_be32(p + 16);
  h.cluster_bits = load_be32(p + 20);
  h.size = load_be64(p + 24);
  h.crypt_method = load_be32(p + 32);
  h.l1_size = load_be32(p + 36);
  h.l1_table_offset = load_be64(p + 40);
  h.refcount_table_offset = load_be64(p + 48);
  h.refcount_table_clusters = load_be32(p + 56);
  h.nb_snapshots = load_be32(p + 60);
  h.snapshots_offset = load_be64(p + 64);

  if (h.cluster_bits < kMinClusterBits || h.cluster_bits > kMaxClusterBits)
    return Error{"unsupported qcow2 cluster size 2^" + std::to_string(h.cluster_bits) +
                 " (must be 512 bytes to 2 MiB)"};
  const uint64_t cs = h.cluster_size();

  if (h.version == 3) {
    if (buf.size() < kV3HeaderLength) return corrupt("truncated version 3 header");
    h.incompatible_features = load_be64(p + 72);
    h.compatible_features = load_be64(p + 80);
    h.autoclear_features = load_be64(p + 88);
    h.refcount_order = load_be32(p + 96);
    h.header_length = load_be32(p + 100);
    if (h.header_length < kV3HeaderLength || h.header_length % 8 != 0 || h.header_length > cs ||
        h.header_length > buf.size())
      return corrupt("invalid header length " + std::to_string(h.header_length));
    if (h.header_length > 104) h.compression_type = p[104];
  } else {
    h.refcount_order = 4;
    h.header_length = kV2HeaderLength;
  }

  if (h.crypt_method != 0)
    return Error{std::string("encrypted qcow2 images are not supported (") +
                 (h.crypt_method == 1 ? "AES" : h.crypt_method == 2 ? "LUKS" : "unknown method") + ")"};
  if (h.refcount_order > 6) return corrupt("refcount order " + std::to_string(h.refcount_order) + " exceeds 6");

  // Header extensions: between the header and the backing file name (or the cluster's end).
  std::vector<FeatureName> feature_names;
  bool have_data_file_ext = false;
  {
    uint64_t off = h.header_length;
    const uint64_t end = std::min<uint64_t>(buf.size(), cs);
    while (off + 8 <= end) {
      const uint32_t type = load_be32(p + off);
      const uint32_t len = load_be32(p + off + 4);
      off += 8;
      if (type == kExtEnd) break;
      if (len > end - off) {
        char name[16];
        snprintf(name, sizeof name, "0x%08x", type);
        return corrupt(std::string("header extension ") + name + " runs past the first cluster");
      }
      const uint8_t* data = p + off;
      switch (type) {
        case kExtBackingFormat: h.backing_format.assign(reinterpret_cast<const char*>(data), len); break;
        case kExtFeatureTable:
          for (uint32_t i = 0; i + 48 <= len; i += 48) {
            const char* name = reinterpret_cast<const char*>(data + i + 2);
            feature_names.push_back({data[i], data[i + 1], std::string(name, strnlen(name, 46))});
          }
          break;
        case kExtBitmaps: h.has_bitmaps_extension = true; break;
        case kExtDataFile: have_data_file_ext = true; break;
        default: break;  // unknown extensions are ignored, as the spec allows
      }
      off += (static_cast<uint64_t>(len) + 7) & ~7ull;
    }
  }

  if (h.incompatible_features & ~kKnownIncompatible)
    return Error{"qcow2 image uses unsupported incompatible features: " +
                 describe_unknown(h.incompatible_features & ~kKnownIncompatible, feature_names)};
  if ((h.incompatible_features & kIncompatExternalData) || have_data_file_ext)
    return Error{"qcow2 images with an external data file are not supported"};
  if (h.incompatible_features & kIncompatExtendedL2)
    return Error{"qcow2 images with extended L2 entries (subclusters) are not supported"};
  if (h.incompatible_features & kIncompatCompressionType) {
    if (h.compression_type == 1) return Error{"qcow2 images compressed with zstd are not supported (only zlib)"};
    if (h.compression_type != 0)
      return Error{"qcow2 compression type " + std::to_string(h.compression_type) + " is not supported (only zlib)"};
  } else if (h.compression_type != 0) {
    return corrupt("compression type set without the compression type feature bit");
  }

  // Backing file name: inside the first cluster, after the extensions.
  if (h.backing_file_offset != 0) {
    if (h.backing_file_size == 0 || h.backing_file_size > kMaxBackingNameLength)
      return corrupt("backing file name length " + std::to_string(h.backing_file_size) + " is invalid");
    if (h.backing_file_offset > buf.size() || h.backing_file_size > buf.size() - h.backing_file_offset)
      return corrupt("backing file name lies outside the first cluster");
    h.backing_file.assign(reinterpret_cast<const char*>(p + h.backing_file_offset), h.backing_file_size);
    if (h.backing_file.find('\0') != std::string::npos) return corrupt("backing file name contains a NUL byte");
  }

  // Tables: aligned, sized within QEMU's limits, inside the file.
  const uint64_t l2_span = cs * h.l2_entries();  // guest bytes mapped by one L2 table
  if (static_cast<uint64_t>(h.l1_size) * 8 > kMaxL1Bytes) return corrupt("L1 table is larger than 32 MiB");
  if (h.size > static_cast<uint64_t>(h.l1_size) * l2_span ||
      (h.size >> 9) > (uint64_t{1} << 55))  // bounds every later guest-offset computation
    return corrupt("L1 table (" + std::to_string(h.l1_size) + " entries) is too small for virtual size " +
                   std::to_string(h.size));
  if (h.l1_size > 0) {
    if (!aligned(h.l1_table_offset, cs) || h.l1_table_offset == 0)
      return corrupt("L1 table offset is not cluster aligned");
    if (h.l1_table_offset > file_size || static_cast<uint64_t>(h.l1_size) * 8 > file_size - h.l1_table_offset)
      return corrupt("L1 table lies past the end of the file");
  }
  if (h.refcount_table_clusters == 0) return corrupt("refcount table has no clusters");
  if (!aligned(h.refcount_table_offset, cs) || h.refcount_table_offset == 0)
    return corrupt("refcount table offset is not cluster aligned");
  if (static_cast<uint64_t>(h.refcount_table_clusters) * cs > kMaxRefcountTableBytes)
    return corrupt("refcount table is larger than 8 MiB");
  if (h.refcount_table_offset > file_size ||
      static_cast<uint64_t>(h.refcount_table_clusters) * cs > file_size - h.refcount_table_offset + cs)
    return corrupt("refcount table lies past the end of the file");
  if (h.nb_snapshots > 0 && !aligned(h.snapshots_offset, cs)) return corrupt("snapshot table is not cluster aligned");
  return h;
}

}  // namespace vessel::storage::qcow2
