// The manager's error type: a kind (which the API maps to an HTTP status), a stable code
// for scripts, and a message for people.
#pragma once
#include <string>
#include <utility>
#include <variant>

namespace vessel::manager {

enum class ErrorKind {
  InvalidArgument,  // the request is wrong: fields, types, sizes, missing files
  NotFound,         // no such VM
  Conflict,         // duplicate name, or the action is invalid in the VM's current state
  Unsupported,      // the VMM does not offer this operation
  VmmFailure,       // the VMM failed to start or to answer
};

struct ManagerError {
  ErrorKind kind;
  std::string code;
  std::string message;
};

inline ManagerError invalid(std::string message, std::string code = "invalid_argument") {
  return {ErrorKind::InvalidArgument, std::move(code), std::move(message)};
}
inline ManagerError not_found(const std::string& name) {
  return {ErrorKind::NotFound, "vm_not_found", "no VM named '" + name + "'"};
}
inline ManagerError conflict(std::string message, std::string code = "invalid_state") {
  return {ErrorKind::Conflict, std::move(code), std::move(message)};
}

template <typename T>
class [[nodiscard]] Outcome {
 public:
  Outcome(T value) : v_(std::move(value)) {}
  Outcome(ManagerError e) : v_(std::move(e)) {}
  explicit operator bool() const { return v_.index() == 0; }
  T& value() { return std::get<0>(v_); }
  T* operator->() { return &value(); }
  const ManagerError& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, ManagerError> v_;
};

}  // namespace vessel::manager
