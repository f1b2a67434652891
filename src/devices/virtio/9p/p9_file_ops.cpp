// 9P2000.L operations on one fid: attributes, open and create, read and write, links.
#include <fcntl.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "devices/virtio/9p/p9_protocol.h"
#include "devices/virtio/9p/p9_server.h"

namespace vessel::devices::virtio::p9 {
namespace {

// The open flags a guest may ask for, as host flags. O_NOFOLLOW and O_CLOEXEC are always
// added by ShareRoot; O_DIRECT, O_NOATIME, O_ASYNC and O_NONBLOCK are the guest's concern.
int host_open_flags(uint32_t f) {
  int flags = static_cast<int>(f & kOAccmode);
  if (f & kOTrunc) flags |= O_TRUNC;
  if (f & kOAppend) flags |= O_APPEND;
  if (f & kODirectory) flags |= O_DIRECTORY;
  if ((f & kOSync) == kOSync) flags |= O_SYNC;
  else if (f & kODsync) flags |= O_DSYNC;
  return flags;
}

bool writes(uint32_t f) { return (f & kOAccmode) != 0 || (f & kOTrunc); }

}  // namespace

int Server::getattr(WireReader& in, Reply& out) {
  const uint32_t fid = in.u32();
  in.u64();  // request mask: the basic set is always returned
  if (!in.ok()) return EINVAL;
  Fid* f = find(fid);
  if (!f) return EBADF;
  struct stat st {};
  if (f->file.ok()) {  // an open file may be unlinked by now: ask its descriptor
    if (fstat(f->file.get(), &st) != 0) return errno;
  } else if (int e = stat_path(f->path, st)) {
    return e;
  }
  out.u64(kGetattrBasic);
  out.qid(qid_of(st));
  out.u32(st.st_mode);
  out.u32(st.st_uid);
  out.u32(st.st_gid);
  out.u64(st.st_nlink);
  out.u64(st.st_rdev);
  out.u64(static_cast<uint64_t>(st.st_size));
  out.u64(static_cast<uint64_t>(st.st_blksize));
  out.u64(static_cast<uint64_t>(st.st_blocks));
  for (const timespec& t : {st.st_atim, st.st_mtim, st.st_ctim}) {
    out.u64(static_cast<uint64_t>(t.tv_sec));
    out.u64(static_cast<uint64_t>(t.tv_nsec));
  }
  for (int i = 0; i < 4; ++i) out.u64(0);  // btime, gen, data_version: not reported
  return 0;
}

int Server::setattr(WireReader& in, Reply&) {
  const uint32_t fid = in.u32(), valid = in.u32(), mode = in.u32(), uid = in.u32(), gid = in.u32();
  const uint64_t size = in.u64();
  const uint64_t atime_sec = in.u64(), atime_nsec = in.u64(), mtime_sec = in.u64(), mtime_nsec = in.u64();
  if (!in.ok()) return EINVAL;
  Fid* f = find(fid);
  if (!f) return EBADF;
  if (read_only_) return EROFS;
  std::string name;
  Fd dir(root_.open_parent(f->path, name));
  if (!dir.ok()) return -dir.release();
  struct stat st {};
  if (fstatat(dir.get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return errno;
  if ((valid & kSetMode) && !S_ISLNK(st.st_mode))  // fchmodat follows a final symlink: never on one
    if (fchmodat(dir.get(), name.c_str(), mode & 07777, 0) != 0) return errno;
  if (valid & kSetSize) {
    if (!S_ISREG(st.st_mode)) return S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
    int fd = f->file.ok() && (f->open_flags & kOAccmode) != 0 ? f->file.get() : -1;
    Fd opened;
    if (fd < 0) {
      opened = Fd(root_.open_beneath(f->path, O_WRONLY));
      if (!opened.ok()) return -opened.release();
      fd = opened.get();
    }
    if (ftruncate(fd, static_cast<off_t>(size)) != 0) return errno;
  }
  if (valid & (kSetAtime | kSetMtime)) {
    timespec times[2];
    times[0] = !(valid & kSetAtime) ? timespec{0, UTIME_OMIT}
               : (valid & kSetAtimeSet) ? timespec{static_cast<time_t>(atime_sec), static_cast<long>(atime_nsec)}
                                        : timespec{0, UTIME_NOW};
    times[1] = !(valid & kSetMtime) ? timespec{0, UTIME_OMIT}
               : (valid & kSetMtimeSet) ? timespec{static_cast<time_t>(mtime_sec), static_cast<long>(mtime_nsec)}
                                        : timespec{0, UTIME_NOW};
    if (utimensat(dir.get(), name.c_str(), times, AT_SYMLINK_NOFOLLOW) != 0) return errno;
  }
  if (valid & (kSetUid | kSetGid)) {  // passthrough: an unprivileged VMM gets EPERM (docs/shares.md)
    const uid_t u = (valid & kSetUid) ? uid : static_cast<uid_t>(-1);
    const gid_t g = (valid & kSetGid) ? gid : static_cast<gid_t>(-1);
    if (fchownat(dir.get(), name.c_str(), u, g, AT_SYMLINK_NOFOLLOW) != 0) return errno;
  }
  return 0;  // ctime changes by itself with any of the above
}

int Server::lopen(WireReader& in, Reply& out) {
  const uint32_t fid = in.u32(), flags = in.u32();
  if (!in.ok()) return EINVAL;
  Fid* f = find(fid);
  if (!f) return EBADF;
  if (f->file.ok()) return EBADF;  // already open
  if (read_only_ && writes(flags)) return EROFS;
  // O_NONBLOCK: opening a FIFO the host made must not stall the I/O thread (regular files
  // and directories ignore it).
  Fd fd(root_.open_beneath(f->path, (host_open_flags(flags) & ~O_CREAT) | O_NONBLOCK));
  if (!fd.ok()) return -fd.release();
  struct stat st {};
  if (fstat(fd.get(), &st) != 0) return errno;
  f->file = std::move(fd);
  f->open_flags = flags;
  out.qid(qid_of(st));
  out.u32(msize_ - kIoHeaderSize);  // iounit
  return 0;
}

int Server::lcreate(WireReader& in, Reply& out) {
  const uint32_t fid = in.u32();
  const std::string name = in.str();
  const uint32_t flags = in.u32(), mode = in.u32();
  in.u32();  // gid: files belong to the VMM's user (docs/shares.md)
  if (!in.ok()) return EINVAL;
  Fid* f = find(fid);
  if (!f) return EBADF;
  if (f->file.ok()) return EBADF;
  if (!valid_name(name)) return EINVAL;
  if (read_only_) return EROFS;
  Fd dir(open_dir(*f));
  if (!dir.ok()) return -dir.release();
  // The last component is not followed either: a symlink there is ELOOP (EEXIST with O_EXCL).
  const int fd = openat2_beneath(dir.get(), name.c_str(), host_open_flags(flags) | O_CREAT, mode & 07777);
  if (fd < 0) return -fd;
  Fd file(fd);
  struct stat st {};
  if (fstat(fd, &st) != 0) return errno;
  f->path = join_path(f->path, name);
  f->directory = false;
  f->file = std::move(file);
  f->open_flags = flags;
  out.qid(qid_of(st));
  out.u32(msize_ - kIoHeaderSize);
  return 0;
}

int Server::read(WireReader& in, Reply& out, size_t reply_cap) {
  const uint32_t fid = in.u32();
  const uint64_t offset = in.u64();
  const uint32_t count = in.u32();
  if (!in.ok()) return EINVAL;
  Fid* f = find(fid);
  if (!f || !f->file.ok()) return EBADF;
  if (f->directory) return EISDIR;
  const size_t room = reply_cap > kHeaderSize + 4 ? reply_cap - kHeaderSize - 4 : 0;
  const size_t want = std::min<size_t>(count, room);
  scratch_.resize(want);
  const ssize_t n = pread(f->file.get(), scratch_.data(), want, static_cast<off_t>(std::min<uint64_t>(offset, INT64_MAX)));
  if (n < 0) return errno;
  out.u32(static_cast<uint32_t>(n));
  out.bytes(scratch_.data(), static_cast<size_t>(n));
  counters.bytes_read += static_cast<uint64_t>(n);
  return 0;
}

int Server::write(WireReader& in, Reply& out) {
  const uint32_t fid = in.u32();
  const uint64_t offset = in.u64();
  const uint32_t count = in.u32();
  const uint8_t* data = in.bytes(count);  // a count beyond the message is malformed
  if (!in.ok()) return EINVAL;
  Fid* f = find(fid);
  if (!f || !f->file.ok()) return EBADF;
  if (read_only_) return EROFS;
  if (offset > static_cast<uint64_t>(INT64_MAX)) return EINVAL;
  const ssize_t n = pwrite(f->file.get(), data, count, static_cast<off_t>(offset));
  if (n < 0) return errno;
  out.u32(static_cast<uint32_t>(n));
  counters.bytes_written += static_cast<uint64_t>(n);
  return 0;
}

int Server::remove(WireReader& in, Reply&) {
  const uint32_t fid = in.u32();
  if (!in.ok()) return EINVAL;
  auto it = fids_.find(fid);
  if (it == fids_.end()) return EBADF;
  const Fid f = std::move(it->second);
  fids_.erase(it);  // clunked whether or not the removal works
  if (read_only_) return EROFS;
  if (f.path.empty()) return EBUSY;  // the share's root
  std::string name;
  Fd dir(root_.open_parent(f.path, name));
  if (!dir.ok()) return -dir.release();
  return ::unlinkat(dir.get(), name.c_str(), f.directory ? AT_REMOVEDIR : 0) == 0 ? 0 : errno;
}

int Server::statfs(WireReader& in, Reply& out) {
  const uint32_t fid = in.u32();
  if (!in.ok()) return EINVAL;
  Fid* f = find(fid);
  if (!f) return EBADF;
  struct statfs s {};
  if (fstatfs(root_.fd(), &s) != 0) return errno;
  out.u32(0x01021997);  // V9FS_MAGIC
  out.u32(static_cast<uint32_t>(s.f_bsize));
  out.u64(s.f_blocks);
  out.u64(s.f_bfree);
  out.u64(s.f_bavail);
  out.u64(s.f_files);
  out.u64(s.f_ffree);
  uint64_t fsid = 0;
  static_assert(sizeof s.f_fsid <= sizeof fsid);
  memcpy(&fsid, &s.f_fsid, sizeof s.f_fsid);
  out.u64(fsid);
  out.u32(static_cast<uint32_t>(s.f_namelen));
  return 0;
}

int Server::fsync(WireReader& in, Reply&) {
  const uint32_t fid = in.u32(), datasync = in.u32();
  if (!in.ok()) return EINVAL;
  Fid* f = find(fid);
  if (!f) return EBADF;
  if (!f->file.ok()) return 0;  // nothing written through this fid
  return (datasync ? fdatasync(f->file.get()) : ::fsync(f->file.get())) == 0 ? 0 : errno;
}

int Server::readlink(WireReader& in, Reply& out) {
  const uint32_t fid = in.u32();
  if (!in.ok()) return EINVAL;
  Fid* f = find(fid);
  if (!f) return EBADF;
  Fd link(root_.open_beneath(f->path, O_PATH));
  if (!link.ok()) return -link.release();
  char target[4096];
  const ssize_t n = readlinkat(link.get(), "", target, sizeof target);  // the link the O_PATH descriptor is
  if (n < 0) return errno == ENOENT ? EINVAL : errno;
  out.str(std::string_view(target, static_cast<size_t>(std::min<ssize_t>(n, 65535))));
  return 0;
}

int Server::symlink(WireReader& in, Reply& out) {
  const uint32_t fid = in.u32();
  const std::string name = in.str(), target = in.str();
  in.u32();  // gid
  if (!in.ok()) return EINVAL;
  Fid* f = find(fid);
  if (!f) return EBADF;
  if (!valid_name(name) || target.empty() || target.find('\0') != std::string::npos) return EINVAL;
  if (read_only_) return EROFS;
  Fd dir(open_dir(*f));
  if (!dir.ok()) return -dir.release();
  // Stored as given: the host never follows a link in the share, the guest resolves it.
  if (symlinkat(target.c_str(), dir.get(), name.c_str()) != 0) return errno;
  struct stat st {};
  if (fstatat(dir.get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return errno;
  out.qid(qid_of(st));
  return 0;
}

int Server::link(WireReader& in, Reply&) {
  const uint32_t dfid = in.u32(), fid = in.u32();
  const std::string name = in.str();
  if (!in.ok()) return EINVAL;
  Fid* d = find(dfid);
  Fid* f = find(fid);
  if (!d || !f) return EBADF;
  if (!valid_name(name)) return EINVAL;
  if (read_only_) return EROFS;
  // Both ends are fids, so both are below the root: a link can only name a file already shared.
  std::string old_name;
  Fd old_dir(root_.open_parent(f->path, old_name));
  if (!old_dir.ok()) return -old_dir.release();
  Fd new_dir(open_dir(*d));
  if (!new_dir.ok()) return -new_dir.release();
  return linkat(old_dir.get(), old_name.c_str(), new_dir.get(), name.c_str(), 0) == 0 ? 0 : errno;
}

int Server::mknod(WireReader& in, Reply& out) {
  const uint32_t dfid = in.u32();
  const std::string name = in.str();
  const uint32_t mode = in.u32(), major = in.u32(), minor = in.u32();
  in.u32();  // gid
  if (!in.ok()) return EINVAL;
  Fid* d = find(dfid);
  if (!d) return EBADF;
  if (!valid_name(name)) return EINVAL;
  if (read_only_) return EROFS;
  // FIFOs, sockets and plain files; device nodes would be host devices: refused.
  const mode_t type = mode & S_IFMT;
  if (type != S_IFIFO && type != S_IFSOCK && type != S_IFREG) return EPERM;
  Fd dir(open_dir(*d));
  if (!dir.ok()) return -dir.release();
  if (mknodat(dir.get(), name.c_str(), type | (mode & 07777), makedev(major, minor)) != 0) return errno;
  struct stat st {};
  if (fstatat(dir.get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return errno;
  out.qid(qid_of(st));
  return 0;
}

}  // namespace vessel::devices::virtio::p9
