#include "api/static_files.h"

#include <fstream>
#include <sstream>

namespace vessel::api {

std::optional<http::HandlerResult> serve_static(const std::string& root, const http::HttpRequest& req) {
  static const std::pair<const char*, const char*> kFiles[] = {
      {"/index.html", "text/html; charset=utf-8"},  {"/app.js", "text/javascript; charset=utf-8"},
      {"/app.css", "text/css; charset=utf-8"},      {"/app.js.map", "application/json"},
      {"/app.css.map", "application/json"},
  };
  if (req.method != "GET" && req.method != "HEAD") return std::nullopt;
  const std::string path = req.path == "/" ? "/index.html" : req.path;
  for (const auto& [name, type] : kFiles) {
    if (path != name) continue;
    http::HandlerResult r;
    std::ifstream in(root + name, std::ios::binary);
    if (!in) {
      r.response.status = 404;
      r.response.content_type = "text/plain; charset=utf-8";
      r.response.body = "the dashboard is not built (" + root + name + "): run `make`\n";
      return r;
    }
    std::ostringstream body;
    body << in.rdbuf();
    r.response.content_type = type;
    r.response.body = body.str();
    r.response.extra_headers["Cache-Control"] = "no-cache";
    return r;
  }
  return std::nullopt;
}

}  // namespace vessel::api
