// Who may do what through the API (docs/manager.md, *Access*):
//  - the Unix socket: whoever can open it (its owner and group, mode 0660) may do anything;
//  - the loopback dashboard listener (vesseld --http): the same, it is local only;
//  - mutual TLS (vesseld --listen): the client certificate's role, its subject OU. `admin`
//    and `host` (another vesseld of the cluster) may do anything; `read-only` may list and
//    show (GET) but not change anything, and not attach a console (which types into a guest).
// Every state-changing request is audited: who, method, path, status.
#pragma once
#include <optional>

#include "api/api_error.h"
#include "http/http_message.h"

namespace vessel::api {

// Any method but GET and HEAD, console attach, and reading guest files: what a read-only
// certificate may not do and the audit log records.
bool changes_state(const http::HttpRequest& req);
// nullopt when `req.peer` may make this request; else the 403 to answer.
std::optional<ApiError> authorize(const http::HttpRequest& req);

}  // namespace vessel::api
