// API errors: an HTTP status and the JSON body {"error": {"code": ..., "message": ...}}.
#pragma once
#include <string>

#include "http/http_message.h"
#include "manager/manager_error.h"

namespace vessel::api {

struct ApiError {
  int status = 400;
  std::string code, message;
  std::string allow;  // for 405: the methods the route accepts
};

ApiError from_manager(const manager::ManagerError& e);
http::HttpResponse error_response(const ApiError& e);

}  // namespace vessel::api
