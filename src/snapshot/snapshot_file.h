// The snapshot container (docs/snapshot-format.md): a header with a magic and a version,
// tagged sections, and a trailer with an XXH3-64 checksum of everything before it.
// Reading maps the file, checks size, magic, version, checksum and every section bound before
// anything is used, so a corrupt or truncated file is refused with a message.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/result.h"

namespace vessel::snapshot {

constexpr uint32_t kFormatVersion = 1;

constexpr uint32_t make_tag(const char (&s)[5]) {
  return uint32_t(uint8_t(s[0])) | uint32_t(uint8_t(s[1])) << 8 | uint32_t(uint8_t(s[2])) << 16 |
         uint32_t(uint8_t(s[3])) << 24;
}
std::string tag_name(uint32_t tag);

struct SectionView {
  uint32_t tag = 0;
  const uint8_t* data = nullptr;
  size_t size = 0;
};

// A section to write, gathered from pieces (guest memory is written from where it lies).
struct SectionPieces {
  uint32_t tag = 0;
  std::vector<std::pair<const uint8_t*, size_t>> pieces;
  uint64_t size() const {
    uint64_t n = 0;
    for (const auto& p : pieces) n += p.second;
    return n;
  }
};

// Writes `sections` to `path` through a temporary file renamed into place, so a reader (or a
// VM whose memory came from an older file of the same name) never sees a half-written file.
// Returns the bytes written. `before_rename` runs once the data is written and closed (a VM
// resumes there: replacing an existing file can take long on some filesystems).
Result<uint64_t> write_snapshot_file(const std::string& path, const std::vector<SectionPieces>& sections,
                                     const std::function<void()>& before_rename = {});
Result<uint64_t> write_snapshot_file(const std::string& path, const std::vector<SectionView>& sections);
// The same container in memory (a live migration sends its state sections this way;
// SnapshotFile::parse reads it).
std::vector<uint8_t> encode_snapshot_image(const std::vector<SectionView>& sections);
// The file offset at which the payload of a section written after `before` starts.
uint64_t section_payload_offset(const std::vector<SectionView>& before);

// The payload of the first section `tag` of the snapshot at `path`, read by walking the
// section headers, without the checksum over the whole file: for a look at a snapshot's
// configuration before restoring it (which verifies everything). Reads only that section.
Result<std::vector<uint8_t>> read_section_unverified(const std::string& path, uint32_t tag);

class SnapshotFile {
 public:
  ~SnapshotFile();
  SnapshotFile(const SnapshotFile&) = delete;
  SnapshotFile& operator=(const SnapshotFile&) = delete;

  static Result<std::unique_ptr<SnapshotFile>> open(const std::string& path);
  // Parses an in-memory image (the caller keeps `data` alive); used by open() and tests.
  static Result<std::unique_ptr<SnapshotFile>> parse(const uint8_t* data, size_t size, const std::string& name);

  const std::vector<SectionView>& sections() const { return sections_; }
  // The only section with this tag, or an error naming the missing/duplicated section.
  // (The caller adds which file: "snapshot PATH refused: ...".)
  Result<SectionView> single(uint32_t tag) const;
  std::vector<SectionView> all(uint32_t tag) const;
  uint64_t file_size() const { return size_; }
  // The open file (only when opened from a path) and where a section's bytes lie in it, so
  // guest memory can be mapped from it.
  int fd() const { return fd_; }
  uint64_t file_offset(const uint8_t* p) const { return static_cast<uint64_t>(p - static_cast<const uint8_t*>(map_)); }

 private:
  SnapshotFile() = default;
  void* map_ = nullptr;
  int fd_ = -1;
  size_t size_ = 0;
  std::string name_;
  std::vector<SectionView> sections_;
};

}  // namespace vessel::snapshot
