#include "api/api_error.h"

#include <nlohmann/json.hpp>

namespace vessel::api {

ApiError from_manager(const manager::ManagerError& e) {
  using manager::ErrorKind;
  int status = 500;
  switch (e.kind) {
    case ErrorKind::InvalidArgument: status = 400; break;
    case ErrorKind::NotFound: status = 404; break;
    case ErrorKind::Conflict: status = 409; break;
    case ErrorKind::Unsupported: status = 501; break;
    case ErrorKind::VmmFailure: status = 500; break;
  }
  return {status, e.code, e.message, {}};
}

http::HttpResponse error_response(const ApiError& e) {
  http::HttpResponse r;
  r.status = e.status;
  r.body = nlohmann::json{{"error", {{"code", e.code}, {"message", e.message}}}}.dump(
      -1, ' ', false, nlohmann::json::error_handler_t::replace);
  if (!e.allow.empty()) r.extra_headers["Allow"] = e.allow;
  return r;
}

}  // namespace vessel::api
