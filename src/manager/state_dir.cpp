#include "manager/state_dir.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace vessel::manager {

namespace fs = std::filesystem;

Result<StateDir> StateDir::open(const std::string& root) {
  std::error_code ec;
  fs::create_directories(root + "/vms", ec);
  if (ec) return Error{"cannot create state directory " + root + ": " + ec.message()};
  StateDir dir(fs::absolute(root).lexically_normal().string());
  while (dir.root_.size() > 1 && dir.root_.back() == '/') dir.root_.pop_back();
  dir.lock_fd_ = ::open((dir.root_ + "/vesseld.lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (dir.lock_fd_ < 0) return Error{"cannot open the state lock: " + std::string(strerror(errno))};
  if (flock(dir.lock_fd_, LOCK_EX | LOCK_NB) != 0)
    return Error{"another vesseld is using the state directory " + dir.root_};
  return dir;
}

StateDir::~StateDir() {
  if (lock_fd_ >= 0) close(lock_fd_);
}

std::vector<std::string> StateDir::vm_names() const {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(root_ + "/vms", ec))
    if (e.is_directory()) names.push_back(e.path().filename().string());
  return names;
}

Result<bool> StateDir::create_vm_dir(const std::string& name) const {
  std::error_code ec;
  fs::create_directories(vm_dir(name), ec);
  if (ec) return Error{"cannot create " + vm_dir(name) + ": " + ec.message()};
  return true;
}

Result<bool> StateDir::remove_vm_dir(const std::string& name) const {
  std::error_code ec;
  fs::remove_all(vm_dir(name), ec);
  if (ec) return Error{"cannot remove " + vm_dir(name) + ": " + ec.message()};
  return true;
}

Result<bool> write_json_atomic(const std::string& path, const nlohmann::json& value, bool durable) {
  const std::string tmp = path + ".tmp";
  const std::string text = value.dump(2) + "\n";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
  if (fd < 0) return Error{"cannot write " + tmp + ": " + strerror(errno)};
  const bool ok = write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && (!durable || fsync(fd) == 0);
  close(fd);
  if (!ok || rename(tmp.c_str(), path.c_str()) != 0) {
    unlink(tmp.c_str());
    return Error{"cannot write " + path + ": " + strerror(errno)};
  }
  return true;
}

Result<nlohmann::json> read_json(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Error{"cannot read " + path};
  std::stringstream ss;
  ss << in.rdbuf();
  auto j = nlohmann::json::parse(ss.str(), nullptr, false);
  if (j.is_discarded()) return Error{path + " is not valid JSON"};
  return j;
}

std::string file_tail_bytes(const std::string& path, size_t max_bytes) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) return {};
  const auto size = static_cast<size_t>(in.tellg());
  const size_t from = size > max_bytes ? size - max_bytes : 0;
  in.seekg(static_cast<std::streamoff>(from));
  std::string s(size - from, '\0');
  in.read(s.data(), static_cast<std::streamsize>(s.size()));
  return s;
}

std::string file_tail(const std::string& path, size_t max_bytes) {
  std::string s = file_tail_bytes(path, max_bytes);
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

}  // namespace vessel::manager
