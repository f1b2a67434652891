// Writes to stream sockets that may be peer-closed at any time: no SIGPIPE, EINTR retried.
#pragma once
#include <cstddef>
#include <string>

namespace vessel::http {

// False when the peer went away (or another send error).
bool send_all(int fd, const char* data, size_t size);
inline bool send_all(int fd, const std::string& s) { return send_all(fd, s.data(), s.size()); }

}  // namespace vessel::http
