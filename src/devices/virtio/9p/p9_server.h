// A 9P2000.L file server for one shared host directory: the part of virtio-9p that knows
// nothing of virtio. It takes one T-message and produces its R-message (Rlerror with a Linux
// errno for every failure); requests are served one at a time, in order, so Tflush has
// nothing to cancel. Fids name paths below the share's root (share_root.h); an open fid also
// holds a descriptor. See docs/shares.md for the permission model.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "devices/virtio/9p/p9_wire.h"
#include "devices/virtio/9p/share_root.h"

namespace vessel::snapshot {
class StateWriter;
class StateReader;
}  // namespace vessel::snapshot

namespace vessel::devices::virtio::p9 {

struct ServerCounters {
  uint64_t requests = 0;
  uint64_t errors = 0;       // Rlerror replies
  uint64_t malformed = 0;    // messages too short for what they declare
  uint64_t bytes_read = 0, bytes_written = 0;
};

class Server {
 public:
  static constexpr uint32_t kMaxMsize = 1u << 20;  // what a Tversion may negotiate, at most
  static constexpr uint32_t kMinMsize = 512;
  static constexpr size_t kMaxFids = 16384;

  Server(ShareRoot root, bool read_only) : root_(std::move(root)), read_only_(read_only) {}

  // Serves `request` (one whole message, size field included) into `reply`, whose length
  // must not exceed `reply_cap` (what the guest's buffers hold). Returns false if the request
  // cannot be answered at all (shorter than a header): `reply` is then empty.
  bool handle(const uint8_t* request, size_t size, size_t reply_cap, std::vector<uint8_t>& reply);

  uint32_t msize() const { return msize_; }
  size_t fid_count() const { return fids_.size(); }
  bool read_only() const { return read_only_; }
  // Drops every fid (a device reset, or a new Tversion).
  void reset();
  // Snapshot: msize and each fid by path and open flags; restore reopens them (a fid whose
  // file is gone is dropped: the guest then gets EBADF for it, see docs/shares.md).
  void save_state(snapshot::StateWriter& out) const;
  bool restore_state(snapshot::StateReader& in);

  ServerCounters counters;

 private:
  struct Fid {
    std::string path;  // below the root, components joined by '/'; "" = the root
    Fd file;           // after Tlopen/Tlcreate
    uint32_t open_flags = 0;
    bool directory = false;
  };
  using Reply = WireWriter;

  // Each returns 0 after writing its reply, or a positive errno for Rlerror.
  int version(WireReader& in, Reply& out);
  int attach(WireReader& in, Reply& out);
  int walk(WireReader& in, Reply& out);
  int getattr(WireReader& in, Reply& out);
  int setattr(WireReader& in, Reply& out);
  int lopen(WireReader& in, Reply& out);
  int lcreate(WireReader& in, Reply& out);
  int read(WireReader& in, Reply& out, size_t reply_cap);
  int write(WireReader& in, Reply& out);
  int clunk(WireReader& in, Reply& out);
  int remove(WireReader& in, Reply& out);
  int readdir(WireReader& in, Reply& out, size_t reply_cap);
  int mkdir(WireReader& in, Reply& out);
  int unlinkat(WireReader& in, Reply& out);
  int rename(WireReader& in, Reply& out);
  int renameat(WireReader& in, Reply& out);
  int symlink(WireReader& in, Reply& out);
  int readlink(WireReader& in, Reply& out);
  int link(WireReader& in, Reply& out);
  int mknod(WireReader& in, Reply& out);
  int statfs(WireReader& in, Reply& out);
  int fsync(WireReader& in, Reply& out);
  int lock(WireReader& in, Reply& out);
  int getlock(WireReader& in, Reply& out);

  Fid* find(uint32_t fid);
  // The fid's directory opened O_PATH (for *at calls below it), or -errno.
  int open_dir(const Fid& f) const;
  Qid qid_of(const struct stat& st) const;
  // stat of a path below the root without following a final symlink; 0 or errno.
  int stat_path(const std::string& rel, struct stat& st) const;
  // After a rename: fids at or below `from` now live at `to`.
  void moved(const std::string& from, const std::string& to);

  ShareRoot root_;
  bool read_only_;
  uint32_t msize_ = 8192;
  std::map<uint32_t, Fid> fids_;
  std::vector<uint8_t> scratch_;
};

}  // namespace vessel::devices::virtio::p9
