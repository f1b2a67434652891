#include "api/access.h"

namespace vessel::api {

bool changes_state(const http::HttpRequest& req) {
  if (req.method != "GET" && req.method != "HEAD") return true;
  // A console takes input, and reading guest files through the agent reaches past what
  // listing shows: both are for admins, and audited.
  for (const std::string tail : {"/console", "/files"})
    if (req.path.size() > tail.size() && req.path.compare(req.path.size() - tail.size(), tail.size(), tail) == 0)
      return true;
  return false;
}

std::optional<ApiError> authorize(const http::HttpRequest& req) {
  const http::Peer& p = req.peer;
  if (p.transport != http::Peer::Transport::Tls) return std::nullopt;
  if (p.role == "admin" || p.role == "host") return std::nullopt;
  if (p.role == "read-only") {
    if (!changes_state(req)) return std::nullopt;
    return ApiError{403, "forbidden",
                    "certificate '" + p.name + "' is read-only: it may list and show, not " + req.method + " " + req.path, {}};
  }
  return ApiError{403, "forbidden",
                  "certificate '" + p.name + "' has no role this daemon knows ('" + p.role +
                      "'; expected admin, read-only or host)", {}};
}

}  // namespace vessel::api
