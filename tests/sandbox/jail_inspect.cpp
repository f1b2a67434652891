#include "jail_inspect.h"

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace vessel::test {

namespace fs = std::filesystem;

pid_t jailed_child(pid_t keeper) {
  std::ifstream in("/proc/" + std::to_string(keeper) + "/task/" + std::to_string(keeper) + "/children");
  pid_t child = -1;
  if (!(in >> child)) return -1;
  return child;
}

std::map<std::string, std::string> proc_status(pid_t pid) {
  std::map<std::string, std::string> out;
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);) {
    const size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string value = line.substr(colon + 1);
    for (char& c : value)
      if (c == '\t') c = ' ';
    const size_t first = value.find_first_not_of(' ');
    out[line.substr(0, colon)] = first == std::string::npos ? "" : value.substr(first);
  }
  return out;
}

std::vector<std::string> jail_tree(pid_t pid) {
  const std::string root = "/proc/" + std::to_string(pid) + "/root";
  std::vector<std::string> out;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(root, fs::directory_options::skip_permission_denied, ec);
       it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) break;
    const std::string inside = it->path().string().substr(root.size());
    if (inside == "/proc") {
      it.disable_recursion_pending();
      continue;
    }
    out.push_back(inside);
  }
  return out;
}

std::vector<std::string> owned_by(const std::string& dir, uid_t uid) {
  std::vector<std::string> out;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, fs::directory_options::skip_permission_denied, ec);
       it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) break;
    struct stat st {};
    if (lstat(it->path().c_str(), &st) == 0 && st.st_uid == uid) out.push_back(it->path().string());
  }
  return out;
}

}  // namespace vessel::test
