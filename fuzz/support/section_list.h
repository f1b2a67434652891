// Snapshot sections as a fuzz input lists them: u8 count, then per section a u8 tag (an index
// into kSectionTags, or 0xff followed by any u32 tag), a u32 length and the bytes. The target
// frames them with the real writer (encode_snapshot_image), so the checksum is right and the
// fuzzer reaches past it; a separate corruption step covers the container's own checks.
#pragma once
#include <cstdint>
#include <vector>

#include "fuzz/support/fuzz_input.h"
#include "snapshot/snapshot_file.h"

namespace vessel::fuzz {

inline constexpr uint32_t kSectionTags[] = {
    snapshot::make_tag("CONF"), snapshot::make_tag("TIME"), snapshot::make_tag("HART"), snapshot::make_tag("HSM "),
    snapshot::make_tag("PLIC"), snapshot::make_tag("UART"), snapshot::make_tag("RTC "), snapshot::make_tag("VIRT"),
    snapshot::make_tag("PCI "), snapshot::make_tag("MEM "),
};
constexpr uint8_t kRawTag = 0xff;

// The sections' bytes live in `storage`.
inline std::vector<snapshot::SectionView> read_sections(FuzzInput& in, std::vector<std::vector<uint8_t>>& storage) {
  std::vector<snapshot::SectionView> sections;
  const unsigned count = in.u8() % 24;
  storage.reserve(count);
  for (unsigned i = 0; i < count && !in.empty(); ++i) {
    const uint8_t index = in.u8();
    const uint32_t tag = index == kRawTag ? in.u32() : kSectionTags[index % std::size(kSectionTags)];
    storage.push_back(in.bytes(in.u32()));
    sections.push_back({tag, storage.back().data(), storage.back().size()});
  }
  return sections;
}

inline void write_sections(FuzzInputWriter& out, const std::vector<std::pair<uint32_t, std::vector<uint8_t>>>& sections) {
  out.u8(static_cast<uint8_t>(sections.size()));
  for (const auto& [tag, bytes] : sections) {
    uint8_t index = kRawTag;
    for (size_t i = 0; i < std::size(kSectionTags); ++i)
      if (kSectionTags[i] == tag) index = static_cast<uint8_t>(i);
    out.u8(index);
    if (index == kRawTag) out.u32(tag);
    out.u32(static_cast<uint32_t>(bytes.size())).bytes(bytes);
  }
}

}  // namespace vessel::fuzz
