// 9P2000.L operations on directories: readdir, mkdir, unlinkat, rename, renameat.
#include <dirent.h>
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstring>

#include "devices/virtio/9p/p9_protocol.h"
#include "devices/virtio/9p/p9_server.h"

namespace vessel::devices::virtio::p9 {
namespace {

struct LinuxDirent64 {
  uint64_t d_ino;
  int64_t d_off;
  uint16_t d_reclen;
  uint8_t d_type;
  char d_name[];
};

uint8_t qid_type_of(uint8_t d_type) {
  return d_type == DT_DIR ? kQtDir : d_type == DT_LNK ? kQtSymlink : kQtFile;
}

}  // namespace

int Server::readdir(WireReader& in, Reply& out, size_t reply_cap) {
  const uint32_t fid = in.u32();
  const uint64_t offset = in.u64();
  const uint32_t count = in.u32();
  if (!in.ok()) return EINVAL;
  Fid* f = find(fid);
  if (!f || !f->file.ok()) return EBADF;
  if (!f->directory) return ENOTDIR;
  const size_t room = std::min<size_t>(count, reply_cap > kHeaderSize + 4 ? reply_cap - kHeaderSize - 4 : 0);
  // The offset is a cookie from an earlier entry (d_off), 0 at the start.
  if (lseek(f->file.get(), static_cast<off_t>(offset), SEEK_SET) < 0) return errno;
  // Host entries are no larger than 9P's (24 bytes + name), so `room` bytes of them is enough.
  scratch_.resize(std::max<size_t>(room, 512));
  const long got = syscall(SYS_getdents64, f->file.get(), scratch_.data(), scratch_.size());
  if (got < 0) return errno;
  const size_t count_at = out.size();
  out.u32(0);  // patched below
  size_t used = 0;
  for (long pos = 0; pos < got;) {
    const auto* d = reinterpret_cast<const LinuxDirent64*>(scratch_.data() + pos);
    const size_t name_len = strnlen(d->d_name, d->d_reclen - offsetof(LinuxDirent64, d_name));
    const size_t entry = 13 + 8 + 1 + 2 + name_len;
    if (used + entry > room) break;  // the guest asks again from the last offset it got
    Qid q;
    q.type = qid_type_of(d->d_type);
    q.path = d->d_ino;
    out.qid(q);
    out.u64(static_cast<uint64_t>(d->d_off));
    out.u8(d->d_type);
    out.str(std::string_view(d->d_name, name_len));
    used += entry;
    pos += d->d_reclen;
  }
  out.patch_u32(count_at, static_cast<uint32_t>(used));
  return 0;
}

int Server::mkdir(WireReader& in, Reply& out) {
  const uint32_t dfid = in.u32();
  const std::string name = in.str();
  const uint32_t mode = in.u32();
  in.u32();  // gid
  if (!in.ok()) return EINVAL;
  Fid* d = find(dfid);
  if (!d) return EBADF;
  if (!valid_name(name)) return EINVAL;
  if (read_only_) return EROFS;
  Fd dir(open_dir(*d));
  if (!dir.ok()) return -dir.release();
  if (mkdirat(dir.get(), name.c_str(), mode & 07777) != 0) return errno;
  struct stat st {};
  if (fstatat(dir.get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return errno;
  out.qid(qid_of(st));
  return 0;
}

int Server::unlinkat(WireReader& in, Reply&) {
  const uint32_t dfid = in.u32();
  const std::string name = in.str();
  const uint32_t flags = in.u32();
  if (!in.ok()) return EINVAL;
  Fid* d = find(dfid);
  if (!d) return EBADF;
  if (!valid_name(name)) return EINVAL;
  if (read_only_) return EROFS;
  Fd dir(open_dir(*d));
  if (!dir.ok()) return -dir.release();
  return ::unlinkat(dir.get(), name.c_str(), (flags & kAtRemoveDir) ? AT_REMOVEDIR : 0) == 0 ? 0 : errno;
}

int Server::rename(WireReader& in, Reply&) {
  const uint32_t fid = in.u32(), dfid = in.u32();
  const std::string name = in.str();
  if (!in.ok()) return EINVAL;
  Fid* f = find(fid);
  Fid* d = find(dfid);
  if (!f || !d) return EBADF;
  if (!valid_name(name)) return EINVAL;
  if (read_only_) return EROFS;
  if (f->path.empty()) return EBUSY;
  std::string old_name;
  Fd old_dir(root_.open_parent(f->path, old_name));
  if (!old_dir.ok()) return -old_dir.release();
  Fd new_dir(open_dir(*d));
  if (!new_dir.ok()) return -new_dir.release();
  if (::renameat(old_dir.get(), old_name.c_str(), new_dir.get(), name.c_str()) != 0) return errno;
  moved(f->path, join_path(d->path, name));
  return 0;
}

int Server::renameat(WireReader& in, Reply&) {
  const uint32_t old_dfid = in.u32();
  const std::string old_name = in.str();
  const uint32_t new_dfid = in.u32();
  const std::string new_name = in.str();
  if (!in.ok()) return EINVAL;
  Fid* od = find(old_dfid);
  Fid* nd = find(new_dfid);
  if (!od || !nd) return EBADF;
  if (!valid_name(old_name) || !valid_name(new_name)) return EINVAL;
  if (read_only_) return EROFS;
  Fd old_dir(open_dir(*od)), new_dir(open_dir(*nd));
  if (!old_dir.ok()) return -old_dir.release();
  if (!new_dir.ok()) return -new_dir.release();
  if (::renameat(old_dir.get(), old_name.c_str(), new_dir.get(), new_name.c_str()) != 0) return errno;
  moved(join_path(od->path, old_name), join_path(nd->path, new_name));
  return 0;
}

}  // namespace vessel::devices::virtio::p9
