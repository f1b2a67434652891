#include "container/state_store.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "container/error.h"

namespace vessel::container {

namespace {

void make_dirs(const std::string& path, mode_t mode) {
  std::string partial;
  std::stringstream ss(path);
  std::string part;
  while (std::getline(ss, part, '/')) {
    if (part.empty()) continue;
    partial += "/" + part;
    if (mkdir(partial.c_str(), mode) == 0) {
      if (chmod(partial.c_str(), mode) != 0) throw_errno("chmod " + partial);  // not cut by the umask
    } else if (errno != EEXIST) {
      throw_errno("create state directory " + partial);
    }
  }
}

int open_locked(const std::string& path) {
  const int fd = open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return -1;
  if (flock(fd, LOCK_EX) != 0) {
    close(fd);
    throw_errno("lock " + path);
  }
  return fd;
}

void remove_tree_at(int parent_fd, const char* name, dev_t device) {
  const int fd = openat(parent_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd >= 0) {
    struct stat st {};
    if (fstat(fd, &st) == 0 && st.st_dev == device) {
      DIR* d = fdopendir(fd);
      if (d) {
        while (dirent* e = readdir(d)) {
          if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
          if (unlinkat(dirfd(d), e->d_name, 0) != 0 && (errno == EISDIR || errno == EPERM))
            remove_tree_at(dirfd(d), e->d_name, device);
        }
        closedir(d);
      } else {
        close(fd);
      }
    } else {
      close(fd);
    }
  }
  unlinkat(parent_fd, name, AT_REMOVEDIR);
}

}  // namespace

ContainerLock& ContainerLock::operator=(ContainerLock&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) close(fd_);
    fd_ = other.fd_;
    other.fd_ = -1;
  }
  return *this;
}

ContainerLock::~ContainerLock() {
  if (fd_ >= 0) close(fd_);
}

StateStore::StateStore(std::string root) : root_(std::move(root)) {
  while (root_.size() > 1 && root_.back() == '/') root_.pop_back();
}

void StateStore::validate_id(const std::string& id) {
  if (id.empty()) throw_bad_input("container id must not be empty");
  if (id.size() > 1024) throw_bad_input("container id is too long");
  if (id == "." || id == "..") throw_bad_input("invalid container id '" + id + "'");
  for (char c : id)
    if (!isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '+' && c != '-' && c != '.')
      throw_bad_input("invalid container id '" + id + "': use letters, digits and _+-.");
}

ContainerLock StateStore::create(const std::string& id) {
  validate_id(id);
  make_dirs(root_, 0711);
  if (mkdir(dir(id).c_str(), 0711) != 0) {
    if (errno == EEXIST) throw Error(ErrorKind::Conflict, "container with id " + id + " already exists");
    throw_errno("create " + dir(id));
  }
  // Searchable by a user-namespace root (the init opens exec.fifo in it), whatever our umask.
  if (chmod(dir(id).c_str(), 0711) != 0) throw_errno("chmod " + dir(id));
  const int fd = open_locked(dir(id));
  if (fd < 0) throw_errno("open " + dir(id));
  return ContainerLock(fd);
}

ContainerLock StateStore::lock(const std::string& id) const {
  validate_id(id);
  const int fd = open_locked(dir(id));
  if (fd < 0) throw Error(ErrorKind::NotFound, "container " + id + " does not exist");
  return ContainerLock(fd);
}

bool StateStore::exists(const std::string& id) const {
  struct stat st {};
  return stat((dir(id) + "/state.json").c_str(), &st) == 0;
}

bool StateStore::is_locked(const std::string& id) const {
  const int fd = open(dir(id).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return false;
  const bool locked = flock(fd, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK;
  close(fd);
  return locked;
}

void StateStore::save(const ContainerRecord& r) const {
  nlohmann::json j = {
      {"id", r.id},           {"bundle", r.bundle},           {"rootfs", r.rootfs},
      {"pid", r.pid},         {"pidStartTime", r.pid_start_time}, {"created", r.created},
      {"annotations", r.annotations}, {"cgroupPath", r.cgroup_path}, {"overlayRootfs", r.overlay_rootfs},
      {"owner", r.owner_uid},
  };
  write_file_atomically(dir(r.id) + "/state.json", j.dump());
}

ContainerRecord StateStore::load(const std::string& id) const {
  validate_id(id);
  auto text = read_whole_file(dir(id) + "/state.json");
  if (!text) throw Error(ErrorKind::NotFound, "container " + id + " does not exist");
  auto j = nlohmann::json::parse(*text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) throw Error(ErrorKind::System, "state of container " + id + " is corrupt");
  ContainerRecord r;
  try {
    r.id = j.at("id").get<std::string>();
    r.bundle = j.at("bundle").get<std::string>();
    r.rootfs = j.at("rootfs").get<std::string>();
    r.pid = j.at("pid").get<pid_t>();
    r.pid_start_time = j.at("pidStartTime").get<uint64_t>();
    r.created = j.at("created").get<std::string>();
    r.annotations = j.at("annotations").get<std::map<std::string, std::string>>();
    r.cgroup_path = j.at("cgroupPath").get<std::string>();
    r.overlay_rootfs = j.at("overlayRootfs").get<bool>();
    r.owner_uid = j.at("owner").get<uint32_t>();
  } catch (const nlohmann::json::exception&) {
    throw Error(ErrorKind::System, "state of container " + id + " is corrupt");
  }
  return r;
}

void StateStore::save_config(const std::string& id, const std::string& json_text) const {
  write_file_atomically(dir(id) + "/config.json", json_text);
}

std::string StateStore::load_config(const std::string& id) const {
  auto text = read_whole_file(dir(id) + "/config.json");
  if (!text) throw Error(ErrorKind::NotFound, "container " + id + " has no saved config");
  return *text;
}

void StateStore::remove(const std::string& id) const { remove_tree(dir(id)); }

std::vector<std::string> StateStore::list() const {
  std::vector<std::string> ids;
  DIR* d = opendir(root_.c_str());
  if (!d) return ids;
  while (dirent* e = readdir(d))
    if (e->d_name[0] != '.' && exists(e->d_name)) ids.emplace_back(e->d_name);
  closedir(d);
  return ids;
}

void write_file_atomically(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp";
  const int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw_errno("write " + tmp);
  const char* p = text.data();
  size_t left = text.size();
  while (left > 0) {
    const ssize_t n = write(fd, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      close(fd);
      throw_errno("write " + tmp);
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
  close(fd);
  if (rename(tmp.c_str(), path.c_str()) != 0) throw_errno("rename " + tmp);
}

std::optional<std::string> read_whole_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void remove_tree(const std::string& path) {
  struct stat st {};
  if (lstat(path.c_str(), &st) != 0) return;
  if (!S_ISDIR(st.st_mode)) {
    unlink(path.c_str());
    return;
  }
  remove_tree_at(AT_FDCWD, path.c_str(), st.st_dev);
}

}  // namespace vessel::container
