#include "snapshot/snapshot_file.h"
#include "common/host_open.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include <cerrno>
#include <cstring>

#include "snapshot/state_stream.h"

namespace vessel::snapshot {
namespace {

constexpr char kMagic[8] = {'V', 'S', 'L', 'S', 'N', 'A', 'P', '\x1a'};
constexpr char kEndMagic[8] = {'V', 'S', 'L', 'E', 'N', 'D', '\0', '\0'};
constexpr size_t kHeaderSize = 32, kSectionHeaderSize = 16, kTrailerSize = 16;
constexpr uint64_t kMaxSections = 1 << 16;

uint64_t load_le(const uint8_t* p, unsigned n) {
  uint64_t v = 0;
  for (unsigned i = 0; i < n; ++i) v |= uint64_t{p[i]} << (8 * i);
  return v;
}

// Writes everything, hashing as it goes.
class HashedFile {
 public:
  HashedFile(int fd) : fd_(fd), state_(XXH3_createState()) { XXH3_64bits_reset(state_); }
  ~HashedFile() { XXH3_freeState(state_); }
  bool put(const void* data, size_t len) {
    XXH3_64bits_update(state_, data, len);
    return raw(data, len);
  }
  bool raw(const void* data, size_t len) {
    const auto* p = static_cast<const uint8_t*>(data);
    while (len) {
      const ssize_t n = ::write(fd_, p, len);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      p += n;
      len -= static_cast<size_t>(n);
      written_ += static_cast<uint64_t>(n);
    }
    return true;
  }
  uint64_t digest() const { return XXH3_64bits_digest(state_); }
  uint64_t written() const { return written_; }

 private:
  int fd_;
  XXH3_state_t* state_;
  uint64_t written_ = 0;
};

}  // namespace

std::string tag_name(uint32_t tag) {
  std::string s;
  for (int i = 0; i < 4; ++i) {
    const char c = static_cast<char>(tag >> (8 * i));
    s += (c >= 0x20 && c < 0x7f) ? c : '?';
  }
  return s;
}

Result<uint64_t> write_snapshot_file(const std::string& path, const std::vector<SectionView>& sections) {
  std::vector<SectionPieces> pieces;
  for (const SectionView& s : sections) pieces.push_back({s.tag, {{s.data, s.size}}});
  return write_snapshot_file(path, pieces);
}

Result<uint64_t> write_snapshot_file(const std::string& path, const std::vector<SectionPieces>& sections,
                                     const std::function<void()>& before_rename) {
  const std::string tmp = path + ".tmp-" + std::to_string(getpid());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Error{"cannot create " + tmp + ": " + strerror(errno)};
  HashedFile out(fd);
  StateWriter header;
  header.raw(kMagic, sizeof kMagic);
  header.u32(kFormatVersion);
  header.u32(kHeaderSize);
  header.u64(sections.size());
  header.u64(0);
  bool ok = out.put(header.data().data(), header.data().size());
  for (const SectionPieces& s : sections) {
    StateWriter sh;
    sh.u32(s.tag);
    sh.u32(0);
    sh.u64(s.size());
    ok = ok && out.put(sh.data().data(), sh.data().size());
    for (const auto& [data, len] : s.pieces) ok = ok && out.put(data, len);
  }
  StateWriter trailer;
  trailer.raw(kEndMagic, sizeof kEndMagic);
  trailer.u64(out.digest());
  ok = ok && out.raw(trailer.data().data(), trailer.data().size());
  const int err = errno;
  if (::close(fd) != 0) ok = false;
  if (before_rename) before_rename();
  if (!ok || rename(tmp.c_str(), path.c_str()) != 0) {
    const std::string why = strerror(ok ? errno : err);
    unlink(tmp.c_str());
    return Error{"cannot write snapshot " + path + ": " + why};
  }
  return out.written();
}

std::vector<uint8_t> encode_snapshot_image(const std::vector<SectionView>& sections) {
  StateWriter out;
  out.raw(kMagic, sizeof kMagic);
  out.u32(kFormatVersion);
  out.u32(kHeaderSize);
  out.u64(sections.size());
  out.u64(0);
  for (const SectionView& s : sections) {
    out.u32(s.tag);
    out.u32(0);
    out.u64(s.size);
    out.raw(s.data, s.size);
  }
  const uint64_t digest = XXH3_64bits(out.data().data(), out.data().size());
  out.raw(kEndMagic, sizeof kEndMagic);
  out.u64(digest);
  return out.take();
}

uint64_t section_payload_offset(const std::vector<SectionView>& before) {
  uint64_t off = kHeaderSize;
  for (const SectionView& s : before) off += kSectionHeaderSize + s.size;
  return off + kSectionHeaderSize;
}

SnapshotFile::~SnapshotFile() {
  if (map_) munmap(map_, size_);
  if (fd_ >= 0) ::close(fd_);
}

Result<std::unique_ptr<SnapshotFile>> SnapshotFile::open(const std::string& path) {
  const int fd = host_open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Error{"cannot open snapshot " + path + ": " + strerror(errno)};
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return Error{"snapshot " + path + " is not a regular file"};
  }
  const size_t size = static_cast<size_t>(st.st_size);
  void* map = nullptr;
  if (size > 0) {
    map = mmap(nullptr, size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
    if (map == MAP_FAILED) {
      const std::string why = strerror(errno);
      ::close(fd);
      return Error{"cannot map snapshot " + path + ": " + why};
    }
  }
  auto parsed = parse(static_cast<const uint8_t*>(map), size, path);
  if (!parsed) {
    if (map) munmap(map, size);
    ::close(fd);
    return Error{parsed.error()};
  }
  parsed.value()->map_ = map;
  parsed.value()->fd_ = fd;
  return std::move(parsed.value());
}

Result<std::unique_ptr<SnapshotFile>> SnapshotFile::parse(const uint8_t* data, size_t size, const std::string& name) {
  auto refuse = [&](const std::string& why) { return Error{"snapshot " + name + " refused: " + why}; };
  if (size < kHeaderSize + kTrailerSize)
    return refuse("file too short (" + std::to_string(size) + " bytes) to be a Vessel snapshot");
  if (memcmp(data, kMagic, sizeof kMagic) != 0) return refuse("not a Vessel snapshot (bad magic)");
  const uint32_t version = static_cast<uint32_t>(load_le(data + 8, 4));
  if (version != kFormatVersion)
    return refuse("format version " + std::to_string(version) + " is not supported (this Vessel reads version " +
                  std::to_string(kFormatVersion) + ")");
  if (load_le(data + 12, 4) != kHeaderSize) return refuse("unexpected header size");
  const uint8_t* trailer = data + size - kTrailerSize;
  if (memcmp(trailer, kEndMagic, sizeof kEndMagic) != 0) return refuse("truncated (no end marker)");
  const uint64_t want = load_le(trailer + 8, 8);
  if (XXH3_64bits(data, size - kTrailerSize) != want) return refuse("checksum mismatch (the file is corrupt)");

  std::unique_ptr<SnapshotFile> f(new SnapshotFile());
  f->size_ = size;
  f->name_ = name;
  const uint64_t count = load_le(data + 16, 8);
  if (count > kMaxSections) return refuse("implausible section count " + std::to_string(count));
  size_t off = kHeaderSize;
  const size_t end = size - kTrailerSize;
  for (uint64_t i = 0; i < count; ++i) {
    if (end - off < kSectionHeaderSize) return refuse("section " + std::to_string(i) + " header truncated");
    SectionView s;
    s.tag = static_cast<uint32_t>(load_le(data + off, 4));
    const uint64_t len = load_le(data + off + 8, 8);
    off += kSectionHeaderSize;
    if (len > end - off) return refuse("section " + tag_name(s.tag) + " runs past the end of the file");
    s.data = data + off;
    s.size = static_cast<size_t>(len);
    off += s.size;
    f->sections_.push_back(s);
  }
  if (off != end) return refuse(std::to_string(end - off) + " bytes after the last section");
  return f;
}

Result<std::vector<uint8_t>> read_section_unverified(const std::string& path, uint32_t tag) {
  const int fd = host_open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Error{"cannot open snapshot " + path + ": " + strerror(errno)};
  auto fail = [&](const std::string& why) {
    close(fd);
    return Error{"snapshot " + path + " refused: " + why};
  };
  struct stat st;
  if (fstat(fd, &st) != 0) return fail(strerror(errno));
  const uint64_t end = static_cast<uint64_t>(st.st_size) >= kTrailerSize ? st.st_size - kTrailerSize : 0;
  uint8_t header[kHeaderSize];
  if (end < kHeaderSize || pread(fd, header, sizeof header, 0) != static_cast<ssize_t>(sizeof header) ||
      memcmp(header, kMagic, sizeof kMagic) != 0)
    return fail("not a Vessel snapshot (bad magic)");
  const uint64_t count = load_le(header + 16, 8);
  if (count > kMaxSections) return fail("implausible section count " + std::to_string(count));
  uint64_t off = kHeaderSize;
  for (uint64_t i = 0; i < count && end - off >= kSectionHeaderSize; ++i) {
    uint8_t sh[kSectionHeaderSize];
    if (pread(fd, sh, sizeof sh, static_cast<off_t>(off)) != static_cast<ssize_t>(sizeof sh)) break;
    const uint64_t len = load_le(sh + 8, 8);
    off += kSectionHeaderSize;
    if (len > end - off) break;
    if (static_cast<uint32_t>(load_le(sh, 4)) == tag) {
      std::vector<uint8_t> payload(static_cast<size_t>(len));
      if (len && pread(fd, payload.data(), payload.size(), static_cast<off_t>(off)) != static_cast<ssize_t>(len))
        return fail("section " + tag_name(tag) + " truncated");
      close(fd);
      return payload;
    }
    off += len;
  }
  return fail("no section " + tag_name(tag));
}

Result<SectionView> SnapshotFile::single(uint32_t tag) const {
  const auto v = all(tag);
  if (v.size() != 1)
    return Error{std::to_string(v.size()) + " sections " + tag_name(tag) + " (expected exactly one)"};
  return v[0];
}

std::vector<SectionView> SnapshotFile::all(uint32_t tag) const {
  std::vector<SectionView> out;
  for (const auto& s : sections_)
    if (s.tag == tag) out.push_back(s);
  return out;
}

}  // namespace vessel::snapshot
