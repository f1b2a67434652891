#include "storage/qcow2_image.h"

#include <algorithm>
#include <cstring>

#include "common/log.h"
#include "storage/big_endian.h"
#include "storage/open_disk.h"
#include "storage/qcow2_check.h"
#include "storage/qcow2_compressed.h"

namespace vessel::storage {
namespace {

using namespace qcow2;

constexpr uint64_t kCacheBytes = 32ull << 20;

size_t cache_capacity(uint64_t cluster_size) {
  return static_cast<size_t>(std::clamp<uint64_t>(kCacheBytes / cluster_size, 16, 4096));
}

std::string directory_of(const std::string& path) {
  const auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

}  // namespace

Qcow2Image::Qcow2Image(HostFile file, const Header& h, bool read_only)
    : file_(std::move(file)),
      h_(h),
      g_(Geometry::of(h)),
      read_only_(read_only),
      l2_(cache_capacity(h.cluster_size())),
      refs_(file_, g_, [this](uint64_t off, uint32_t clusters) {
        // The refcount table moved: point the header at it, durably.
        uint8_t buf[12];
        store_be64(buf, off);
        store_be32(buf + 8, clusters);
        VESSEL_TRY_IO(file_.write_all(kOffRefcountTableOffset, buf, sizeof buf));
        h_.refcount_table_offset = off;
        h_.refcount_table_clusters = clusters;
        return file_.sync();
      }) {}

Qcow2Image::~Qcow2Image() {
  if (!read_only_) {
    std::lock_guard lock(mu_);
    const IoStatus s = flush_locked();
    if (!s.ok()) LOG_ERROR("qcow2 %s: flush on close failed: %s", file_.path().c_str(), to_string(s.code));
  }
}

Result<std::unique_ptr<Qcow2Image>> Qcow2Image::open(const std::string& path, bool read_only, OpenChain* chain) {
  auto file = HostFile::open(path, !read_only);
  if (!file) return Error{file.error()};
  auto file_size = file->size();
  if (!file_size) return Error{file_size.error()};
  std::vector<uint8_t> first(512);
  if (!file->read_zero_fill(0, first.data(), first.size()).ok()) return Error{"cannot read '" + path + "'"};
  if (!has_qcow2_magic(first.data(), first.size())) return Error{"'" + path + "': not a qcow2 image"};
  const uint32_t cluster_bits = load_be32(&first[20]);
  if (cluster_bits >= kMinClusterBits && cluster_bits <= kMaxClusterBits) {
    first.resize(1ull << cluster_bits);
    if (!file->read_zero_fill(0, first.data(), first.size()).ok()) return Error{"cannot read '" + path + "'"};
  }
  auto header = parse_header(first, file_size.value());
  if (!header) return Error{"'" + path + "': " + header.error()};
  const Header& h = header.value();
  if (!read_only) {
    if (h.incompatible_features & kIncompatCorrupt)
      return Error{"'" + path + "': image is marked corrupt; it can only be opened read-only (repair it with "
                   "'qemu-img check -r all')"};
    if (h.nb_snapshots > 0)
      return Error{"'" + path + "': writing images with internal snapshots is not supported; open it read-only"};
  }
  std::unique_ptr<Qcow2Image> img(new Qcow2Image(std::move(file.value()), h, read_only));
  OpenChain own;
  auto loaded = img->load(chain ? *chain : own);
  if (!loaded) return Error{loaded.error()};
  return img;
}

Result<bool> Qcow2Image::load(OpenChain& chain) {
  const std::string& path = file_.path();
  std::vector<uint8_t> raw(static_cast<size_t>(h_.l1_size) * 8);
  if (!raw.empty() && !file_.read_exact(h_.l1_table_offset, raw.data(), raw.size()).ok())
    return Error{"'" + path + "': cannot read the L1 table"};
  l1_.resize(h_.l1_size);
  for (size_t i = 0; i < l1_.size(); ++i) l1_[i] = load_be64(&raw[i * 8]);
  auto file_size = file_.size();
  if (!file_size) return Error{file_size.error()};
  if (!refs_.load(h_.refcount_table_offset, h_.refcount_table_clusters, file_size.value()).ok())
    return Error{"'" + path + "': cannot read the refcount table"};
  if (!read_only_ && (h_.incompatible_features & kIncompatDirty)) {
    auto rebuilt = rebuild_refcounts(file_size.value());
    if (!rebuilt) return Error{"'" + path + "': " + rebuilt.error()};
  }
  scratch_.resize(g_.cluster_size);
  decompressed_.resize(g_.cluster_size);

  if (!read_only_ && h_.version == 3 && h_.autoclear_features != 0) {
    // Vessel keeps no bitmaps: clearing the bits tells other tools they are stale (spec rule).
    if (!write_header_field64(kOffAutoclear, 0).ok() || !file_.sync().ok())
      return Error{"'" + path + "': cannot update the header"};
    h_.autoclear_features = 0;
  }

  if (!h_.backing_file.empty()) {
    if (h_.backing_file.rfind("json:", 0) == 0)
      return Error{"'" + path + "': json: backing file names are not supported"};
    std::string name = h_.backing_file;
    if (name.rfind("file:", 0) == 0) name = name.substr(5);
    backing_path_ = name[0] == '/' ? name : directory_of(path) + "/" + name;
    std::optional<DiskFormat> fmt;
    if (!h_.backing_format.empty()) {
      fmt = parse_format(h_.backing_format);
      if (!fmt) return Error{"'" + path + "': unsupported backing file format '" + h_.backing_format + "'"};
    }
    auto b = open_disk_in_chain(backing_path_, fmt, true, chain);
    if (!b) return Error{"'" + path + "': backing file: " + b.error()};
    backing_ = std::move(b.value());
  }
  return true;
}

Result<bool> Qcow2Image::rebuild_refcounts(uint64_t file_size) {
  // The dirty bit means refcount updates were postponed (lazy refcounts) and may be missing:
  // recount from the L1/L2 tables, as qemu does, before anything is allocated.
  auto refs = count_references(file_, h_, file_size);
  if (!refs) return Error{"image has the dirty bit set and its refcounts cannot be rebuilt: " + refs.error()};
  if (!refs_.rebuild(refs.value()).ok() || !refs_.write_dirty().ok() || !file_.sync().ok())
    return Error{"image has the dirty bit set and rebuilding its refcounts failed"};
  h_.incompatible_features &= ~kIncompatDirty;
  if (!write_header_field64(kOffIncompatible, h_.incompatible_features).ok() || !file_.sync().ok())
    return Error{"cannot clear the dirty bit"};
  LOG_WARN("qcow2 %s: dirty image: refcounts rebuilt", file_.path().c_str());
  return true;
}

Result<bool> Qcow2Image::repair_refcounts() {
  if (read_only_) return Error{"image is open read-only"};
  std::lock_guard lock(mu_);
  if (!flush_locked().ok()) return Error{"cannot write back the image's metadata"};
  auto file_size = file_.size();
  if (!file_size) return Error{file_size.error()};
  auto refs = count_references(file_, h_, file_size.value());
  if (!refs) return Error{refs.error()};
  if (!refs_.rebuild(refs.value()).ok() || !flush_locked().ok()) return Error{"rewriting the refcounts failed"};
  return true;
}

IoStatus Qcow2Image::write_header_field64(uint64_t offset, uint64_t value) {
  uint8_t buf[8];
  store_be64(buf, value);
  return file_.write_all(offset, buf, sizeof buf);
}

// ---- L2 tables ---------------------------------------------------------------------------

IoStatus Qcow2Image::write_l2(const L2Table& t) {
  std::vector<uint8_t> raw(g_.cluster_size);
  for (size_t i = 0; i < t.entries.size(); ++i) store_be64(&raw[i * 8], t.entries[i]);
  return file_.write_all(t.offset, raw.data(), raw.size());
}

IoStatus Qcow2Image::make_room_in_cache() {
  if (!l2_.full()) return IoStatus::success();
  L2Table* v = l2_.victim();
  if (v->dirty) {
    // Refcounts of everything the table points to must be durable before it is.
    VESSEL_TRY_IO(refs_.write_dirty());
    VESSEL_TRY_IO(file_.sync());
    VESSEL_TRY_IO(write_l2(*v));
  }
  l2_.erase(v->offset);
  return IoStatus::success();
}

IoStatus Qcow2Image::load_l2(uint64_t offset, L2Table** table) {
  if ((offset & (g_.cluster_size - 1)) != 0 || offset >= refs_.end_offset()) {
    LOG_ERROR("qcow2 %s: L2 table offset 0x%llx is invalid", file_.path().c_str(),
              static_cast<unsigned long long>(offset));
    return IoStatus::error(IoCode::Corrupt);
  }
  if ((*table = l2_.find(offset))) return IoStatus::success();
  VESSEL_TRY_IO(make_room_in_cache());
  std::vector<uint8_t> raw(g_.cluster_size);
  VESSEL_TRY_IO(file_.read_exact(offset, raw.data(), raw.size()));
  std::vector<uint64_t> entries(g_.l2_entries);
  for (size_t i = 0; i < entries.size(); ++i) entries[i] = load_be64(&raw[i * 8]);
  *table = l2_.insert(offset, std::move(entries), false);
  return IoStatus::success();
}

IoStatus Qcow2Image::l2_for(uint64_t gc, bool allocate, L2Table** table, uint64_t* index) {
  const uint64_t l1i = gc / g_.l2_entries;
  *index = gc % g_.l2_entries;
  *table = nullptr;
  if (l1i >= l1_.size()) return IoStatus::error(IoCode::Corrupt);  // header validation prevents this
  const uint64_t e = l1_[l1i];
  const uint64_t off = e & kOffsetMask;
  if (off == 0) {
    if (!allocate) return IoStatus::success();
    uint64_t host;
    VESSEL_TRY_IO(refs_.allocate(&host));
    VESSEL_TRY_IO(make_room_in_cache());
    *table = l2_.insert(host, std::vector<uint64_t>(g_.l2_entries, 0), true);
    l1_[l1i] = host | kCopied;
    l1_dirty_ = true;
    return IoStatus::success();
  }
  VESSEL_TRY_IO(load_l2(off, table));
  if (allocate && !(e & kCopied)) {
    // Without the COPIED flag the table may be shared (snapshots): only a refcount of one lets
    // us modify it in place.
    uint64_t rc;
    VESSEL_TRY_IO(refs_.get(off >> g_.cluster_bits, &rc));
    if (rc != 1) return IoStatus::error(rc == 0 ? IoCode::Corrupt : IoCode::Unsupported);
    l1_[l1i] = e | kCopied;
    l1_dirty_ = true;
  }
  return IoStatus::success();
}

// ---- reads -------------------------------------------------------------------------------

bool Qcow2Image::reads_as_zero(uint64_t entry) const {
  if (entry & kCompressed) return false;
  if (h_.version >= 3 && (entry & kZeroFlag)) return true;
  return (entry & kOffsetMask) == 0 && !backing_;
}

IoStatus Qcow2Image::check_entry(uint64_t entry) const {
  if (entry & kCompressed) return IoStatus::success();
  const uint64_t off = entry & kOffsetMask;
  if ((off & (g_.cluster_size - 1)) != 0 || (off == 0 && (entry & kCopied)) || off >= refs_.end_offset()) {
    LOG_ERROR("qcow2 %s: invalid L2 entry 0x%llx", file_.path().c_str(), static_cast<unsigned long long>(entry));
    return IoStatus::error(IoCode::Corrupt);
  }
  return IoStatus::success();
}

IoStatus Qcow2Image::read_backing(uint64_t guest_offset, uint8_t* buf, uint64_t n) {
  uint64_t m = 0;
  if (backing_ && guest_offset < backing_->size()) {
    m = std::min(n, backing_->size() - guest_offset);
    VESSEL_TRY_IO(backing_->read(guest_offset, buf, m));
  }
  memset(buf + m, 0, n - m);
  return IoStatus::success();
}

IoStatus Qcow2Image::read_compressed(uint64_t entry) {
  if (decompressed_entry_ == entry) return IoStatus::success();
  const uint64_t coff = entry & g_.coffset_mask;
  const uint64_t sectors = ((entry >> g_.csize_shift) & g_.csize_mask) + 1;
  const uint64_t csize = sectors * 512 - (coff & 511);
  compressed_.resize(csize);
  VESSEL_TRY_IO(file_.read_zero_fill(coff, compressed_.data(), csize));
  if (!inflate_cluster(compressed_.data(), csize, decompressed_.data(), g_.cluster_size)) {
    LOG_ERROR("qcow2 %s: compressed cluster at 0x%llx does not inflate", file_.path().c_str(),
              static_cast<unsigned long long>(coff));
    decompressed_entry_ = 0;
    return IoStatus::error(IoCode::Corrupt);
  }
  decompressed_entry_ = entry;
  return IoStatus::success();
}

IoStatus Qcow2Image::read_piece(uint64_t gc, uint64_t entry, uint64_t in, uint8_t* buf, uint64_t n) {
  VESSEL_TRY_IO(check_entry(entry));
  if (entry & kCompressed) {
    VESSEL_TRY_IO(read_compressed(entry));
    memcpy(buf, decompressed_.data() + in, n);
    return IoStatus::success();
  }
  if (h_.version >= 3 && (entry & kZeroFlag)) {
    memset(buf, 0, n);
    return IoStatus::success();
  }
  const uint64_t off = entry & kOffsetMask;
  if (off == 0) return read_backing((gc << g_.cluster_bits) + in, buf, n);
  return file_.read_zero_fill(off + in, buf, n);
}

IoStatus Qcow2Image::read(uint64_t offset, void* buffer, size_t len) {
  if (!in_range(offset, len)) return IoStatus::error(IoCode::OutOfRange);
  std::lock_guard lock(mu_);
  auto* out = static_cast<uint8_t*>(buffer);
  // Pieces in consecutive host clusters are read with one pread.
  uint64_t run_host = 0, run_len = 0;
  uint8_t* run_out = nullptr;
  auto flush_run = [&]() -> IoStatus {
    if (run_len == 0) return IoStatus::success();
    const IoStatus s = file_.read_zero_fill(run_host, run_out, run_len);
    run_len = 0;
    return s;
  };
  while (len > 0) {
    const uint64_t gc = offset >> g_.cluster_bits;
    const uint64_t in = offset & (g_.cluster_size - 1);
    const uint64_t n = std::min<uint64_t>(len, g_.cluster_size - in);
    L2Table* t;
    uint64_t idx;
    VESSEL_TRY_IO(l2_for(gc, false, &t, &idx));
    const uint64_t e = t ? t->entries[idx] : 0;
    const uint64_t host = e & kOffsetMask;
    const bool plain = !(e & kCompressed) && host != 0 && !(h_.version >= 3 && (e & kZeroFlag));
    if (plain && check_entry(e).ok()) {
      if (run_len != 0 && run_host + run_len != host + in) VESSEL_TRY_IO(flush_run());
      if (run_len == 0) {
        run_host = host + in;
        run_out = out;
      }
      run_len += n;
    } else {
      VESSEL_TRY_IO(flush_run());
      VESSEL_TRY_IO(read_piece(gc, e, in, out, n));
    }
    out += n;
    offset += n;
    len -= n;
  }
  return flush_run();
}

// ---- writes ------------------------------------------------------------------------------

void Qcow2Image::release(uint64_t entry) {
  if (entry & kCompressed) {
    const uint64_t coff = entry & g_.coffset_mask;
    const uint64_t sectors = ((entry >> g_.csize_shift) & g_.csize_mask) + 1;
    refs_.free_later(coff, sectors * 512 - (coff & 511));
    if (decompressed_entry_ == entry) decompressed_entry_ = 0;
    return;
  }
  const uint64_t off = entry & kOffsetMask;
  if (off != 0) refs_.free_later(off, g_.cluster_size);
}

IoStatus Qcow2Image::write_piece(uint64_t gc, uint64_t in, const uint8_t* data, uint64_t n, uint64_t* direct) {
  *direct = 0;
  L2Table* t;
  uint64_t idx;
  VESSEL_TRY_IO(l2_for(gc, true, &t, &idx));
  const uint64_t e = t->entries[idx];
  VESSEL_TRY_IO(check_entry(e));
  const uint64_t off = e & kOffsetMask;
  const bool zero = h_.version >= 3 && (e & kZeroFlag);
  if (!(e & kCompressed) && off != 0 && !zero) {
    bool exclusive = e & kCopied;
    if (!exclusive) {
      uint64_t rc;
      VESSEL_TRY_IO(refs_.get(off >> g_.cluster_bits, &rc));
      if (rc == 0) return IoStatus::error(IoCode::Corrupt);
      exclusive = rc == 1;
      if (exclusive) {
        t->entries[idx] = e | kCopied;
        t->dirty = true;
      }
    }
    if (exclusive) {
      *direct = off + in;  // the caller writes the data (merging neighbours)
      return IoStatus::success();
    }
  }
  // Copy-on-write into a new cluster: the old content around the written bytes comes from the
  // backing file, a compressed cluster or zeros.
  const uint8_t* full = data;
  if (n < g_.cluster_size) {
    VESSEL_TRY_IO(read_piece(gc, e, 0, scratch_.data(), g_.cluster_size));
    memcpy(scratch_.data() + in, data, n);
    full = scratch_.data();
  }
  uint64_t host;
  VESSEL_TRY_IO(refs_.allocate(&host));
  if (full == data) *direct = host;
  else VESSEL_TRY_IO(file_.write_all(host, full, g_.cluster_size));
  // allocate() never evicts L2 tables, so `t` is still valid.
  t->entries[idx] = host | kCopied;
  t->dirty = true;
  release(e);
  return IoStatus::success();
}

IoStatus Qcow2Image::write(uint64_t offset, const void* data, size_t len) {
  if (read_only_) return IoStatus::error(IoCode::ReadOnly);
  if (!in_range(offset, len)) return IoStatus::error(IoCode::OutOfRange);
  std::lock_guard lock(mu_);
  const auto* in_data = static_cast<const uint8_t*>(data);
  // Direct writes to consecutive host clusters are merged into one pwrite. A run never crosses
  // an L2 table, so no table referencing unwritten data can be evicted to disk meanwhile.
  uint64_t run_host = 0, run_len = 0;
  const uint8_t* run_data = nullptr;
  auto flush_run = [&]() -> IoStatus {
    if (run_len == 0) return IoStatus::success();
    const IoStatus s = file_.write_all(run_host, run_data, run_len);
    run_len = 0;
    return s;
  };
  while (len > 0) {
    const uint64_t gc = offset >> g_.cluster_bits;
    const uint64_t in = offset & (g_.cluster_size - 1);
    const uint64_t n = std::min<uint64_t>(len, g_.cluster_size - in);
    if (gc % g_.l2_entries == 0) VESSEL_TRY_IO(flush_run());
    uint64_t direct;
    const IoStatus s = write_piece(gc, in, in_data, n, &direct);
    if (!s.ok()) {
      (void)flush_run();
      return s;
    }
    if (direct != 0) {
      if (run_len != 0 && run_host + run_len != direct) VESSEL_TRY_IO(flush_run());
      if (run_len == 0) {
        run_host = direct;
        run_data = in_data;
      }
      run_len += n;
    }
    in_data += n;
    offset += n;
    len -= n;
  }
  return flush_run();
}

IoStatus Qcow2Image::discard(uint64_t offset, uint64_t len) {
  if (read_only_) return IoStatus::error(IoCode::ReadOnly);
  if (!in_range(offset, len)) return IoStatus::error(IoCode::OutOfRange);
  std::lock_guard lock(mu_);
  // Only whole clusters can be released; partial ones are left alone (discard is advisory).
  // A cluster at the very end of the disk may be partial in the guest's view but whole here.
  uint64_t first = (offset + g_.cluster_size - 1) >> g_.cluster_bits;
  const uint64_t end = offset + len;
  uint64_t last = end == h_.size ? (end + g_.cluster_size - 1) >> g_.cluster_bits : end >> g_.cluster_bits;
  for (uint64_t gc = first; gc < last; ++gc) {
    uint64_t replacement;
    if (h_.version >= 3) replacement = backing_ ? kZeroFlag : 0;
    else if (!backing_) replacement = 0;
    else return IoStatus::success();  // v2 over a backing file cannot hide the backing data
    L2Table* t;
    uint64_t idx;
    VESSEL_TRY_IO(l2_for(gc, replacement != 0, &t, &idx));
    if (!t) continue;
    const uint64_t e = t->entries[idx];
    if (e == replacement) continue;
    VESSEL_TRY_IO(check_entry(e));
    release(e);
    t->entries[idx] = replacement;
    t->dirty = true;
  }
  return IoStatus::success();
}

IoStatus Qcow2Image::write_zeroes(uint64_t offset, uint64_t len, bool may_unmap) {
  if (read_only_) return IoStatus::error(IoCode::ReadOnly);
  if (!in_range(offset, len)) return IoStatus::error(IoCode::OutOfRange);
  std::lock_guard lock(mu_);
  while (len > 0) {
    const uint64_t gc = offset >> g_.cluster_bits;
    const uint64_t in = offset & (g_.cluster_size - 1);
    const uint64_t n = std::min<uint64_t>(len, g_.cluster_size - in);
    const bool whole = n == g_.cluster_size || (in == 0 && offset + n == h_.size);
    L2Table* t;
    uint64_t idx;
    VESSEL_TRY_IO(l2_for(gc, false, &t, &idx));
    const uint64_t e = t ? t->entries[idx] : 0;
    VESSEL_TRY_IO(check_entry(e));
    if (reads_as_zero(e)) {
      // Already zero.
    } else if (whole && h_.version >= 3) {
      VESSEL_TRY_IO(l2_for(gc, true, &t, &idx));
      const uint64_t off = e & kOffsetMask;
      uint64_t replacement = kZeroFlag;
      if (!may_unmap && !(e & kCompressed) && off != 0 && (e & kCopied)) {
        replacement = off | kCopied | kZeroFlag;  // keep the space: a preallocated zero cluster
      } else {
        release(e);
      }
      t->entries[idx] = replacement;
      t->dirty = true;
    } else if (whole && !backing_ && (may_unmap || (e & kCompressed) || !(e & kCopied))) {
      release(e);  // v2 without backing: unallocated clusters read as zeros
      VESSEL_TRY_IO(l2_for(gc, true, &t, &idx));
      t->entries[idx] = 0;
      t->dirty = true;
    } else {
      std::vector<uint8_t> zeros(n, 0);
      uint64_t direct;
      VESSEL_TRY_IO(write_piece(gc, in, zeros.data(), n, &direct));
      if (direct != 0) VESSEL_TRY_IO(file_.write_all(direct, zeros.data(), n));
    }
    offset += n;
    len -= n;
  }
  return IoStatus::success();
}

// ---- flush -------------------------------------------------------------------------------

IoStatus Qcow2Image::flush_locked() {
  if (read_only_) return IoStatus::success();
  bool l2_dirty = false;
  l2_.for_each([&](L2Table& t) { l2_dirty |= t.dirty; });
  if (!l2_dirty && !l1_dirty_ && !refs_.dirty() && !refs_.has_pending_frees()) return file_.sync();
  // 1. data and refcount increments, 2. L2 tables, 3. L1, 4. refcount decrements.
  VESSEL_TRY_IO(refs_.write_dirty());
  VESSEL_TRY_IO(file_.sync());
  IoStatus status = IoStatus::success();
  l2_.for_each([&](L2Table& t) {
    if (!t.dirty || !status.ok()) return;
    status = write_l2(t);
    if (status.ok()) t.dirty = false;
  });
  VESSEL_TRY_IO(status);
  if (l1_dirty_) {
    VESSEL_TRY_IO(file_.sync());
    std::vector<uint8_t> raw(l1_.size() * 8);
    for (size_t i = 0; i < l1_.size(); ++i) store_be64(&raw[i * 8], l1_[i]);
    VESSEL_TRY_IO(file_.write_all(h_.l1_table_offset, raw.data(), raw.size()));
    l1_dirty_ = false;
  }
  VESSEL_TRY_IO(file_.sync());
  if (refs_.has_pending_frees()) {
    VESSEL_TRY_IO(refs_.apply_frees());
    VESSEL_TRY_IO(file_.sync());
  }
  return IoStatus::success();
}

IoStatus Qcow2Image::flush() {
  std::lock_guard lock(mu_);
  return flush_locked();
}

ImageInfo Qcow2Image::info() const {
  std::lock_guard lock(mu_);
  ImageInfo i;
  i.format = DiskFormat::Qcow2;
  i.path = file_.path();
  i.virtual_size = h_.size;
  i.cluster_size = static_cast<uint32_t>(g_.cluster_size);
  i.qcow2_version = h_.version;
  i.refcount_bits = h_.refcount_bits();
  i.dirty = h_.incompatible_features & kIncompatDirty;
  i.corrupt = h_.incompatible_features & kIncompatCorrupt;
  i.lazy_refcounts = h_.compatible_features & kCompatLazyRefcounts;
  i.snapshots = h_.nb_snapshots;
  i.backing_file = h_.backing_file;
  i.backing_path = backing_path_;
  i.backing_format = h_.backing_format;
  return i;
}

}  // namespace vessel::storage
