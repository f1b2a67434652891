// qcow2 on-disk layout (QEMU's docs/interop/qcow2.txt, versions 2 and 3): constants, the parsed
// header, and header parsing with validation.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "common/result.h"

namespace vessel::storage::qcow2 {

constexpr uint32_t kMagic = 0x514649fb;  // "QFI\xfb"
constexpr uint32_t kV2HeaderLength = 72;
constexpr uint32_t kV3HeaderLength = 104;
constexpr uint32_t kMinClusterBits = 9;
constexpr uint32_t kMaxClusterBits = 21;       // 2 MiB, QEMU's limit
constexpr uint64_t kMaxL1Bytes = 32ull << 20;  // QEMU's limit on the active L1 table
constexpr uint64_t kMaxRefcountTableBytes = 8ull << 20;
constexpr uint32_t kMaxBackingNameLength = 1023;

// Header byte offsets of the fields Vessel rewrites in place.
constexpr uint64_t kOffL1Size = 36;
constexpr uint64_t kOffL1TableOffset = 40;
constexpr uint64_t kOffRefcountTableOffset = 48;
constexpr uint64_t kOffRefcountTableClusters = 56;
constexpr uint64_t kOffIncompatible = 72;
constexpr uint64_t kOffAutoclear = 88;

// Incompatible feature bits.
constexpr uint64_t kIncompatDirty = 1ull << 0;
constexpr uint64_t kIncompatCorrupt = 1ull << 1;
constexpr uint64_t kIncompatExternalData = 1ull << 2;
constexpr uint64_t kIncompatCompressionType = 1ull << 3;
constexpr uint64_t kIncompatExtendedL2 = 1ull << 4;
constexpr uint64_t kCompatLazyRefcounts = 1ull << 0;

// Header extension types.
constexpr uint32_t kExtEnd = 0;
constexpr uint32_t kExtBackingFormat = 0xe2792aca;
constexpr uint32_t kExtFeatureTable = 0x6803f857;
constexpr uint32_t kExtBitmaps = 0x23852875;
constexpr uint32_t kExtCrypto = 0x0537be77;
constexpr uint32_t kExtDataFile = 0x44415441;

// L1/L2 entry bits.
constexpr uint64_t kOffsetMask = 0x00fffffffffffe00ull;  // bits 9..55
constexpr uint64_t kCopied = 1ull << 63;                 // refcount is exactly one
constexpr uint64_t kCompressed = 1ull << 62;
constexpr uint64_t kZeroFlag = 1ull << 0;                // v3 standard clusters: reads as zeros
constexpr uint64_t kL1ReservedMask = 0x7f000000000001ffull;
constexpr uint64_t kL2ReservedMask = 0x3f000000000001feull;

struct Header {
  uint32_t version = 3;
  uint64_t backing_file_offset = 0;
  uint32_t backing_file_size = 0;
  uint32_t cluster_bits = 16;
  uint64_t size = 0;
  uint32_t crypt_method = 0;
  uint32_t l1_size = 0;
  uint64_t l1_table_offset = 0;
  uint64_t refcount_table_offset = 0;
  uint32_t refcount_table_clusters = 0;
  uint32_t nb_snapshots = 0;
  uint64_t snapshots_offset = 0;
  uint64_t incompatible_features = 0;
  uint64_t compatible_features = 0;
  uint64_t autoclear_features = 0;
  uint32_t refcount_order = 4;
  uint32_t header_length = kV2HeaderLength;
  uint8_t compression_type = 0;
  // From the backing file name and header extensions.
  std::string backing_file;
  std::string backing_format;
  bool has_bitmaps_extension = false;

  uint64_t cluster_size() const { return 1ull << cluster_bits; }
  uint64_t l2_entries() const { return cluster_size() / 8; }
  uint32_t refcount_bits() const { return 1u << refcount_order; }
};

// Derived geometry shared by the image, the checker and the creator.
struct Geometry {
  uint32_t cluster_bits;
  uint64_t cluster_size;
  uint64_t l2_entries;
  uint32_t refcount_order;
  uint64_t refblock_entries;  // refcounts per refcount block
  // Compressed-cluster descriptor layout.
  uint32_t csize_shift;
  uint64_t csize_mask;
  uint64_t coffset_mask;

  static Geometry of(const Header& h);
};

// Parses and validates the first cluster of an image (`buf`, at least 512 bytes; pass the whole
// first cluster when available). `file_size` bounds the tables. The error explains what is
// wrong or unsupported in terms a user can act on.
Result<Header> parse_header(const std::vector<uint8_t>& buf, uint64_t file_size);

// True when the buffer starts with the qcow2 magic.
bool has_qcow2_magic(const uint8_t* buf, size_t len);

}  // namespace vessel::storage::qcow2
