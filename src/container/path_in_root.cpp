#include "container/path_in_root.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <deque>
#include <sstream>
#include <vector>

namespace vessel::container {

namespace {
std::deque<std::string> components(const std::string& path) {
  std::deque<std::string> parts;
  std::stringstream ss(path);
  std::string part;
  while (std::getline(ss, part, '/'))
    if (!part.empty() && part != ".") parts.push_back(part);
  return parts;
}
}  // namespace

std::string resolve_in_root(const std::string& root, const std::string& path) {
  std::vector<std::string> resolved;  // components below root, already free of links
  std::deque<std::string> pending = components(path);
  int links = 0;
  while (!pending.empty()) {
    std::string part = pending.front();
    pending.pop_front();
    if (part == "..") {
      if (!resolved.empty()) resolved.pop_back();
      continue;
    }
    std::string candidate = root;
    for (const auto& r : resolved) candidate += "/" + r;
    candidate += "/" + part;
    char target[4096];
    const ssize_t n = readlink(candidate.c_str(), target, sizeof target - 1);
    if (n < 0 || ++links > 40) {
      resolved.push_back(part);  // not a link (or a loop): take it literally
      continue;
    }
    target[n] = '\0';
    auto link_parts = components(target);
    if (target[0] == '/') resolved.clear();
    for (auto it = link_parts.rbegin(); it != link_parts.rend(); ++it) pending.push_front(*it);
  }
  std::string out = root;
  for (const auto& r : resolved) out += "/" + r;
  return out;
}

bool ensure_mountpoint(const std::string& host_path, bool as_file) {
  struct stat st {};
  if (stat(host_path.c_str(), &st) == 0) return true;
  std::string partial;
  const auto parts = components(host_path);
  for (size_t i = 0; i + 1 < parts.size(); ++i) {
    partial += "/" + parts[i];
    if (mkdir(partial.c_str(), 0755) != 0 && errno != EEXIST) return false;
  }
  if (!as_file) return mkdir(host_path.c_str(), 0755) == 0 || errno == EEXIST;
  const int fd = open(host_path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return false;
  close(fd);
  return true;
}

}  // namespace vessel::container
