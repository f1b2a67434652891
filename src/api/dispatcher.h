// Executes parsed API actions against the VM registry and shapes the HTTP responses.
#pragma once
#include "api/actions.h"
#include "api/http_server.h"
#include "manager/event_log.h"
#include "manager/registry.h"

namespace vessel::api {

class Dispatcher {
 public:
  Dispatcher(manager::Registry& registry, manager::EventLog& log) : registry_(registry), log_(log) {}
  // The HttpServer handler: parse, dispatch, log.
  HandlerResult handle(const HttpRequest& req);

 private:
  HandlerResult execute(const Action& action);
  HandlerResult attach_console(const AttachConsole& a);

  manager::Registry& registry_;
  manager::EventLog& log_;
};

}  // namespace vessel::api
