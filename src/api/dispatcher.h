// Executes parsed API actions against the VM registry and shapes the HTTP responses.
#pragma once
#include "api/actions.h"
#include "http/http_server.h"
#include "manager/container_registry.h"
#include "manager/event_log.h"
#include "manager/image_store.h"
#include "manager/network_registry.h"
#include "manager/registry.h"

namespace vessel::api {

class Dispatcher {
 public:
  Dispatcher(manager::Registry& registry, manager::ContainerRegistry& containers, manager::ImageStore& images,
             manager::NetworkRegistry& networks, manager::EventLog& log)
      : registry_(registry), containers_(containers), images_(images), networks_(networks), log_(log) {}
  // Also writes each audit line (state-changing requests) to `audit` (vesseld --audit-log).
  void set_audit_log(manager::EventLog* audit) { audit_ = audit; }
  // The http::HttpServer handler: parse, dispatch, log.
  http::HandlerResult handle(const http::HttpRequest& req);

 private:
  http::HandlerResult execute(const Action& action);
  http::HandlerResult attach_console(const AttachConsole& a);
  // container_dispatch.cpp
  http::HandlerResult execute_container(const ContainerAction& action);
  http::HandlerResult execute_image(const ImageAction& action);
  http::HandlerResult attach_container_console(const AttachContainerConsole& a);
  http::HandlerResult execute_network(const NetworkAction& action);

  manager::Registry& registry_;
  manager::ContainerRegistry& containers_;
  manager::ImageStore& images_;
  manager::NetworkRegistry& networks_;
  manager::EventLog& log_;
  manager::EventLog* audit_ = nullptr;
};

}  // namespace vessel::api
