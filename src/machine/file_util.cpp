#include "machine/file_util.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace vessel::machine {

// One allocation and plain read(2) calls: kernels and initrds are megabytes, and a boot
// should not spend its first milliseconds growing a string stream.
Result<std::string> read_file(const std::string& path) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Error{path + ": " + strerror(errno)};
  struct stat st;
  if (fstat(fd, &st) != 0) {
    const int err = errno;
    close(fd);
    return Error{path + ": " + strerror(err)};
  }
  if (S_ISDIR(st.st_mode)) {
    close(fd);
    return Error{path + ": is a directory"};
  }
  std::string data;
  data.resize(S_ISREG(st.st_mode) ? static_cast<size_t>(st.st_size) : 0);
  size_t filled = 0;
  char more[64 * 1024];  // past the expected size (the file grew, or is not a regular file)
  for (;;) {
    const bool full = filled == data.size();
    const ssize_t n = full ? read(fd, more, sizeof more) : read(fd, data.data() + filled, data.size() - filled);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      close(fd);
      return Error{path + ": read error: " + strerror(err)};
    }
    if (n == 0) break;
    if (full) data.append(more, static_cast<size_t>(n));
    filled += static_cast<size_t>(n);
  }
  close(fd);
  data.resize(filled);  // the file may have shrunk meanwhile
  return data;
}

}  // namespace vessel::machine
