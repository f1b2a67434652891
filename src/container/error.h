// Errors of the container runtime. The CLI maps each kind to an exit status and prints the
// message in the OCI runtime CLI style; nothing below the CLI prints errors itself.
#pragma once
#include <stdexcept>
#include <string>

namespace vessel::container {

enum class ErrorKind {
  BadInput,  // invalid options, bundle or config.json
  NotFound,  // no container with that id
  Conflict,  // id already used, or an action invalid in the container's current state
  System,    // a system call failed
};

class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
  ErrorKind kind() const { return kind_; }

 private:
  ErrorKind kind_;
};

// Throws a System error "<what>: <strerror(errno)>" (errno read at the call).
[[noreturn]] void throw_errno(const std::string& what);
[[noreturn]] void throw_bad_input(const std::string& message);

}  // namespace vessel::container
