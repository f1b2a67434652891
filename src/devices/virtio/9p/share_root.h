// The host directory a share exports, reached only through a descriptor held open on it:
// every guest path is resolved below it with openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS),
// so `..`, absolute or relative symlinks (whoever made them) and magic links in /proc cannot
// lead outside, and a symlink is never followed by the host: the guest resolves its own.
#pragma once
#include <sys/stat.h>

#include <string>
#include <string_view>

#include "common/result.h"

namespace vessel::devices::virtio::p9 {

// An owned descriptor (moved, never copied), or a negative errno.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(Fd&& o) noexcept : fd_(o.release()) {}
  Fd& operator=(Fd&& o) noexcept;
  ~Fd();
  int get() const { return fd_; }
  bool ok() const { return fd_ >= 0; }
  int release() {
    const int f = fd_;
    fd_ = -1;
    return f;
  }

 private:
  int fd_ = -1;
};

class ShareRoot {
 public:
  // Opens `dir`; an error names what is wrong with it.
  static Result<ShareRoot> open(const std::string& dir);
  ShareRoot(ShareRoot&&) = default;
  ShareRoot& operator=(ShareRoot&&) = default;

  int fd() const { return root_.get(); }
  dev_t dev() const { return dev_; }
  // `rel` (components joined by '/', "" for the root) opened with `flags`; a symlink as the
  // last component needs O_PATH | O_NOFOLLOW. Returns the descriptor or -errno.
  int open_beneath(const std::string& rel, int flags, unsigned mode = 0) const;
  // The parent directory of `rel` (O_PATH) for the *at calls, and the last component ("." for
  // the root itself).
  int open_parent(const std::string& rel, std::string& name) const;

 private:
  ShareRoot(Fd root, dev_t dev) : root_(std::move(root)), dev_(dev) {}
  Fd root_;
  dev_t dev_ = 0;
};

// openat2 below `dirfd` with the share's rules (O_NOFOLLOW, O_CLOEXEC, no symlinks at all);
// the one open call the 9p server makes, so the I/O thread's filter needs no plain openat
// for writing. Returns the descriptor or -errno.
int openat2_beneath(int dirfd, const char* path, int flags, unsigned mode);

// A name the guest may use for one directory entry: not empty, not "." or "..", no '/' or NUL.
bool valid_name(std::string_view name);
// "a/b" + "c" = "a/b/c"; "" + "c" = "c". And the way back: "a/b/c" -> "a/b".
std::string join_path(const std::string& dir, const std::string& name);
std::string parent_path(const std::string& rel);

}  // namespace vessel::devices::virtio::p9
