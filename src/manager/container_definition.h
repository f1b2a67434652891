// A container as the manager keeps it: what POST /v1/containers creates and the state
// directory stores (STATE/containers/NAME/container.json). Parsing is strict, as for VMs;
// oci_config() turns a definition and its image into the runtime's config.json.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "manager/image_store.h"
#include "manager/manager_error.h"

namespace vessel::manager {

// 0 = unlimited.
struct ContainerLimits {
  uint64_t memory_bytes = 0;
  double cpus = 0;  // host cores (0.5 = half of one)
  uint64_t pids = 0;
};

struct ContainerDefinition {
  std::string name;
  std::string image;   // an imported image's name, or
  std::string rootfs;  // an absolute directory used as the read-only base
  std::vector<std::string> command;  // replaces the image's entrypoint + cmd when given
  std::vector<std::string> env;      // added to the image's
  std::string workdir, user, hostname;
  std::string network = "none";  // none: its own namespace with loopback only; host: the host's
  ContainerLimits limits;
  bool read_only = false;  // the root filesystem read-only (no overlay writes)
  bool autostart = false;
};

// POST /v1/containers body -> definition (`start` is returned apart). Checks that the image
// exists or the rootfs is a directory.
Outcome<ContainerDefinition> parse_container_definition(const nlohmann::json& body, const ImageStore& images, bool& start);
Outcome<ContainerDefinition> container_from_store(const nlohmann::json& stored);
nlohmann::json to_json(const ContainerDefinition& def);
// PATCH /v1/containers/{name}/limits: the given fields change, the others stay.
Outcome<ContainerLimits> parse_container_limits(const nlohmann::json& body, const ContainerLimits& current);
nlohmann::json to_json(const ContainerLimits& limits);
// `vessel-runc update` flags for these limits (0 written as "no limit").
std::vector<std::string> update_args(const ContainerLimits& limits);

// The config.json for the runtime; `base` is the root filesystem (the image's, or def.rootfs).
Outcome<nlohmann::json> oci_config(const ContainerDefinition& def, const Image* image, const std::string& base);

}  // namespace vessel::manager
