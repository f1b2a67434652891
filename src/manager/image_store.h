// Container images under the daemon's state directory, imported from an OCI image layout (a
// directory or a tar of one) or a `docker save` / `podman save` archive. Each image is
// unpacked once, its layers flattened into STATE/images/KEY/rootfs, which containers share
// read-only under an overlay of their own; image.json keeps the name and the run config.
#pragma once
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "manager/manager_error.h"

namespace vessel::manager {

struct ImageConfig {
  std::vector<std::string> entrypoint, cmd, env;
  std::string workdir, user;
};

struct Image {
  std::string name;    // as given or as the archive tags it (busybox:latest)
  std::string rootfs;  // the flattened layers
  ImageConfig config;
  nlohmann::json to_json() const;
};

class ImageStore {
 public:
  explicit ImageStore(std::string root) : root_(std::move(root)) {}

  // Imports FILE under `name` (or the archive's own tag when empty). 409 if the name exists.
  Outcome<Image> import(const std::string& file, const std::string& name);
  std::optional<Image> find(const std::string& name) const;
  std::vector<Image> list() const;
  Outcome<bool> remove(const std::string& name);

 private:
  std::string dir_of(const std::string& name) const;
  std::string root_;
  mutable std::mutex mutex_;  // one import at a time; lookups see whole images only
};

}  // namespace vessel::manager
