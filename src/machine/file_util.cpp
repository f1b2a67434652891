#include "machine/file_util.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <sys/stat.h>

namespace vessel::machine {

Result<std::string> read_file(const std::string& path) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) return Error{path + ": " + strerror(errno)};
  if (S_ISDIR(st.st_mode)) return Error{path + ": is a directory"};
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{path + ": cannot open: " + strerror(errno)};
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return Error{path + ": read error"};
  return ss.str();
}

}  // namespace vessel::machine
