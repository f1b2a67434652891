// Where containers live between runtime invocations: <root>/<id>/ holds state.json (what later
// commands need), config.json (the bundle's config at create time), exec.fifo while the
// container waits for `start`, and the overlay layers of a container with an overlay rootfs.
#pragma once
#include <sys/types.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace vessel::container {

struct ContainerRecord {
  std::string id;
  std::string bundle;
  std::string rootfs;
  pid_t pid = 0;
  uint64_t pid_start_time = 0;  // from /proc/<pid>/stat, guards against pid reuse
  std::string created;          // RFC 3339
  std::map<std::string, std::string> annotations;
  std::string cgroup_path;  // inside each hierarchy, e.g. /vessel/<id>
  bool overlay_rootfs = false;
  uint32_t owner_uid = 0;
};

// An exclusive flock on a container's directory, released on destruction.
class ContainerLock {
 public:
  ContainerLock() = default;
  explicit ContainerLock(int fd) : fd_(fd) {}
  ContainerLock(ContainerLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  ContainerLock& operator=(ContainerLock&& other) noexcept;
  ContainerLock(const ContainerLock&) = delete;
  ContainerLock& operator=(const ContainerLock&) = delete;
  ~ContainerLock();
  // The locked descriptor; a forked child must close its copy or it would keep the lock.
  int fd() const { return fd_; }

 private:
  int fd_ = -1;
};

class StateStore {
 public:
  explicit StateStore(std::string root);

  const std::string& root() const { return root_; }
  std::string dir(const std::string& id) const { return root_ + "/" + id; }
  std::string fifo_path(const std::string& id) const { return dir(id) + "/exec.fifo"; }

  // Throws BadInput for ids that are empty, too long or contain characters other than
  // letters, digits and "_+-.".
  static void validate_id(const std::string& id);

  // Creates <root>/<id> exclusively (Conflict if it exists) and locks it.
  ContainerLock create(const std::string& id);
  // Locks an existing container (NotFound if absent).
  ContainerLock lock(const std::string& id) const;
  bool exists(const std::string& id) const;
  // True while another process holds the container's lock (e.g. a `create` in progress).
  bool is_locked(const std::string& id) const;

  void save(const ContainerRecord& record) const;
  // NotFound when the container does not exist or is still being created.
  ContainerRecord load(const std::string& id) const;
  void save_config(const std::string& id, const std::string& json_text) const;
  std::string load_config(const std::string& id) const;
  void remove(const std::string& id) const;
  std::vector<std::string> list() const;

 private:
  std::string root_;
};

// Writes `text` to `path` through a temporary file and rename, so readers never see half.
void write_file_atomically(const std::string& path, const std::string& text);
std::optional<std::string> read_whole_file(const std::string& path);
// Removes a directory tree without following symlinks or crossing into other mounts.
void remove_tree(const std::string& path);

}  // namespace vessel::container
