// The dashboard's files (index.html, app.js, app.css, their source map), served by vesseld
// --http from one directory, beside the API on the same origin.
#pragma once
#include <optional>
#include <string>

#include "http/http_server.h"

namespace vessel::api {

// The file a GET asks for, when it is one of the dashboard's; nullopt for anything else.
std::optional<http::HandlerResult> serve_static(const std::string& root, const http::HttpRequest& req);

}  // namespace vessel::api
