#include "container/error.h"

#include <cerrno>
#include <cstring>

namespace vessel::container {

void throw_errno(const std::string& what) {
  const int saved = errno;
  throw Error(ErrorKind::System, what + ": " + std::strerror(saved));
}

void throw_bad_input(const std::string& message) { throw Error(ErrorKind::BadInput, message); }

}  // namespace vessel::container
