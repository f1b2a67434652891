// Snapshot of the 9P session: msize and the fid table by path. Descriptors cannot be saved,
// so restore reopens each open fid by its path and flags (without O_CREAT, O_EXCL, O_TRUNC);
// a fid whose file is gone (or was unlinked while open) is dropped and the guest gets EBADF.
#include <fcntl.h>

#include "devices/virtio/9p/p9_protocol.h"
#include "devices/virtio/9p/p9_server.h"
#include "snapshot/state_stream.h"

namespace vessel::devices::virtio::p9 {

void Server::save_state(snapshot::StateWriter& out) const {
  out.u32(msize_);
  out.u32(static_cast<uint32_t>(fids_.size()));
  for (const auto& [id, f] : fids_) {
    out.u32(id);
    out.string(f.path);
    out.boolean(f.directory);
    out.boolean(f.file.ok());
    out.u32(f.open_flags);
  }
}

bool Server::restore_state(snapshot::StateReader& in) {
  fids_.clear();
  msize_ = in.u32();
  if (msize_ < kMinMsize || msize_ > kMaxMsize) in.fail("9p msize out of range");
  const uint32_t n = in.u32();
  if (n > kMaxFids) in.fail("too many 9p fids");
  for (uint32_t i = 0; i < n && in.ok(); ++i) {
    const uint32_t id = in.u32();
    Fid f;
    f.path = in.string(4096);
    f.directory = in.boolean();
    const bool open = in.boolean();
    f.open_flags = in.u32();
    if (!in.ok()) break;
    bool valid = true;  // the path must be made of plain names (the file is not trusted either)
    for (size_t at = 0; !f.path.empty() && at <= f.path.size();) {
      const size_t slash = std::min(f.path.find('/', at), f.path.size());
      valid = valid && valid_name(std::string_view(f.path).substr(at, slash - at));
      at = slash + 1;
    }
    if (!valid) {
      in.fail("9p fid path '" + f.path + "' is not below the share");
      break;
    }
    struct stat st {};
    if (stat_path(f.path, st) != 0) continue;  // gone while the VM was saved
    if (open) {
      int flags = static_cast<int>(f.open_flags & kOAccmode) | O_NONBLOCK;
      if (f.open_flags & kOAppend) flags |= O_APPEND;
      if (f.directory) flags |= O_DIRECTORY;
      if (read_only_ && (flags & O_ACCMODE) != O_RDONLY) continue;
      f.file = Fd(root_.open_beneath(f.path, flags));
      if (!f.file.ok()) continue;
    }
    fids_[id] = std::move(f);
  }
  return in.ok();
}

}  // namespace vessel::devices::virtio::p9
