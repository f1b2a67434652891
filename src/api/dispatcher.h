// Executes parsed API actions against the VM registry and shapes the HTTP responses.
#pragma once
#include "api/actions.h"
#include "api/http_server.h"
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
  // The HttpServer handler: parse, dispatch, log.
  HandlerResult handle(const HttpRequest& req);

 private:
  HandlerResult execute(const Action& action);
  HandlerResult attach_console(const AttachConsole& a);
  // container_dispatch.cpp
  HandlerResult execute_container(const ContainerAction& action);
  HandlerResult execute_image(const ImageAction& action);
  HandlerResult attach_container_console(const AttachContainerConsole& a);
  HandlerResult execute_network(const NetworkAction& action);

  manager::Registry& registry_;
  manager::ContainerRegistry& containers_;
  manager::ImageStore& images_;
  manager::NetworkRegistry& networks_;
  manager::EventLog& log_;
};

}  // namespace vessel::api
