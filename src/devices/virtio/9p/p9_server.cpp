// Dispatch and the session: version, attach, walk, clunk, flush, locks. File operations are
// in p9_file_ops.cpp and p9_dir_ops.cpp.
#include "devices/virtio/9p/p9_server.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "devices/virtio/9p/p9_protocol.h"

namespace vessel::devices::virtio::p9 {

bool Server::handle(const uint8_t* request, size_t size, size_t reply_cap, std::vector<uint8_t>& reply) {
  reply.clear();
  if (size < kHeaderSize) {
    ++counters.malformed;
    return false;
  }
  WireReader header(request, size);
  const uint32_t declared = header.u32();
  const uint8_t type = header.u8();
  const uint16_t tag = header.u16();
  ++counters.requests;
  Reply out(reply);
  out.begin(static_cast<uint8_t>(type + 1), tag);
  int err = 0;
  // The size field must describe what the buffers hold; msize bounds it (but Tversion is
  // what sets msize, so it is checked against the largest one).
  const uint32_t limit = type == kTversion ? kMaxMsize : msize_;
  if (declared < kHeaderSize || declared > size || declared > limit) {
    ++counters.malformed;
    err = EMSGSIZE;
  } else {
    WireReader in(request + kHeaderSize, declared - kHeaderSize);
    const size_t cap = std::min<size_t>(reply_cap, msize_);
    switch (type) {
      case kTversion: err = version(in, out); break;
      case kTattach: err = attach(in, out); break;
      case kTauth: err = EOPNOTSUPP; break;  // no authentication: attach directly
      case kTflush: break;  // requests finish in order: there is never one left to cancel
      case kTwalk: err = walk(in, out); break;
      case kTgetattr: err = getattr(in, out); break;
      case kTsetattr: err = setattr(in, out); break;
      case kTlopen: err = lopen(in, out); break;
      case kTlcreate: err = lcreate(in, out); break;
      case kTread: err = read(in, out, cap); break;
      case kTwrite: err = write(in, out); break;
      case kTclunk: err = clunk(in, out); break;
      case kTremove: err = remove(in, out); break;
      case kTreaddir: err = readdir(in, out, cap); break;
      case kTmkdir: err = mkdir(in, out); break;
      case kTunlinkat: err = unlinkat(in, out); break;
      case kTrename: err = rename(in, out); break;
      case kTrenameat: err = renameat(in, out); break;
      case kTsymlink: err = symlink(in, out); break;
      case kTreadlink: err = readlink(in, out); break;
      case kTlink: err = link(in, out); break;
      case kTmknod: err = mknod(in, out); break;
      case kTstatfs: err = statfs(in, out); break;
      case kTfsync: err = fsync(in, out); break;
      case kTlock: err = lock(in, out); break;
      case kTgetlock: err = getlock(in, out); break;
      // Extended attributes are not offered: Linux treats EOPNOTSUPP as "none".
      case kTxattrwalk: case kTxattrcreate: err = EOPNOTSUPP; break;
      default: err = EOPNOTSUPP; break;  // 9P2000 and 9P2000.u messages, or garbage
    }
    if (err == EINVAL && !in.ok()) ++counters.malformed;
  }
  // A reply the guest's buffers (or msize) cannot hold becomes an error that fits.
  if (!err && reply.size() > std::min<size_t>(reply_cap, msize_)) err = EMSGSIZE;
  if (err) {
    ++counters.errors;
    out.begin(kRlerror, tag);
    out.u32(static_cast<uint32_t>(err));
  }
  out.finish();
  return true;
}

void Server::reset() {
  fids_.clear();
  msize_ = 8192;
}

Server::Fid* Server::find(uint32_t fid) {
  auto it = fids_.find(fid);
  return it == fids_.end() ? nullptr : &it->second;
}

int Server::open_dir(const Fid& f) const { return root_.open_beneath(f.path, O_PATH | O_DIRECTORY); }

Qid Server::qid_of(const struct stat& st) const {
  Qid q;
  q.type = S_ISDIR(st.st_mode) ? kQtDir : S_ISLNK(st.st_mode) ? kQtSymlink : kQtFile;
  // Inode numbers repeat across filesystems mounted below the share: mix the device in.
  q.path = st.st_ino ^ (st.st_dev == root_.dev() ? 0 : static_cast<uint64_t>(st.st_dev) << 48);
  return q;
}

int Server::stat_path(const std::string& rel, struct stat& st) const {
  Fd fd(root_.open_beneath(rel, O_PATH));
  if (!fd.ok()) return -fd.release();
  return fstat(fd.get(), &st) == 0 ? 0 : errno;
}

void Server::moved(const std::string& from, const std::string& to) {
  for (auto& [id, f] : fids_) {
    if (f.path == from)
      f.path = to;
    else if (f.path.size() > from.size() && f.path.compare(0, from.size(), from) == 0 && f.path[from.size()] == '/')
      f.path = to + f.path.substr(from.size());
  }
}

int Server::version(WireReader& in, Reply& out) {
  const uint32_t msize = in.u32();
  const std::string version = in.str();
  if (!in.ok()) return EINVAL;
  fids_.clear();  // a new session: every fid of the old one is gone
  // Never more than the client offers; too little to carry a walk reply is refused.
  if (msize < kMinMsize) return EINVAL;
  msize_ = std::min(msize, kMaxMsize);
  out.u32(msize_);
  out.str(version == "9P2000.L" ? "9P2000.L" : "unknown");
  return 0;
}

int Server::attach(WireReader& in, Reply& out) {
  const uint32_t fid = in.u32();
  in.u32();  // afid: no authentication
  in.str();  // uname
  in.str();  // aname: the share has one tree
  in.u32();  // n_uname
  if (!in.ok()) return EINVAL;
  if (fids_.count(fid)) return EBADF;
  if (fids_.size() >= kMaxFids) return ENFILE;
  struct stat st {};
  if (int e = stat_path("", st)) return e;
  Fid f;
  f.directory = true;
  fids_.emplace(fid, std::move(f));
  out.qid(qid_of(st));
  return 0;
}

int Server::walk(WireReader& in, Reply& out) {
  const uint32_t fid = in.u32(), newfid = in.u32();
  const uint16_t n = in.u16();
  if (n > kMaxWalkNames) return EINVAL;
  std::vector<std::string> names(n);
  for (auto& name : names) name = in.str();
  if (!in.ok()) return EINVAL;
  Fid* from = find(fid);
  if (!from) return EBADF;
  if (newfid != fid && fids_.count(newfid)) return EBADF;
  if (newfid != fid && fids_.size() >= kMaxFids) return ENFILE;
  std::string path = from->path;
  bool directory = from->directory;
  std::vector<Qid> qids;
  for (size_t i = 0; i < names.size(); ++i) {
    const std::string& name = names[i];
    int err = 0;
    struct stat st {};
    std::string next;
    if (!directory)
      err = ENOTDIR;
    else if (name == "..")
      next = parent_path(path);  // lexical: every step below the root is a real directory; the root's parent is itself
    else if (!valid_name(name))
      err = name == "." ? EINVAL : ENOENT;
    else
      next = join_path(path, name);
    if (!err) err = stat_path(next, st);
    if (err) {
      if (i == 0) return err;
      break;  // a partial walk: the qids so far, and newfid is not made
    }
    qids.push_back(qid_of(st));
    path = next;
    directory = S_ISDIR(st.st_mode);
  }
  if (qids.size() == names.size()) {
    Fid f;
    f.path = path;
    f.directory = directory;
    fids_[newfid] = std::move(f);  // replaces fid itself when newfid == fid
  }
  out.u16(static_cast<uint16_t>(qids.size()));
  for (const Qid& q : qids) out.qid(q);
  return 0;
}

int Server::clunk(WireReader& in, Reply&) {
  const uint32_t fid = in.u32();
  if (!in.ok()) return EINVAL;
  return fids_.erase(fid) ? 0 : EBADF;
}

int Server::lock(WireReader& in, Reply& out) {
  const uint32_t fid = in.u32();
  in.u8();   // type
  in.u32();  // flags
  in.u64();  // start
  in.u64();  // length
  in.u32();  // proc_id
  in.str();  // client_id
  if (!in.ok()) return EINVAL;
  if (!find(fid)) return EBADF;
  // POSIX locks are the guest kernel's business between its own processes; the host file
  // is not locked (QEMU's 9p does the same).
  out.u8(kLockSuccess);
  return 0;
}

int Server::getlock(WireReader& in, Reply& out) {
  const uint32_t fid = in.u32();
  in.u8();
  const uint64_t start = in.u64(), length = in.u64();
  const uint32_t proc_id = in.u32();
  const std::string client = in.str();
  if (!in.ok()) return EINVAL;
  if (!find(fid)) return EBADF;
  out.u8(kLockTypeUnlock);
  out.u64(start);
  out.u64(length);
  out.u32(proc_id);
  out.str(client);
  return 0;
}

}  // namespace vessel::devices::virtio::p9
