// The OCI lifecycle operations (create, start, state, kill, delete, run, exec, ps, ...), as
// used by both `vessel container` and the runc-compatible `vessel-runc`.
#pragma once
#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "container/cgroup.h"
#include "container/oci_spec.h"
#include "container/state_store.h"

namespace vessel::container {

struct RuntimeOptions {
  std::string root = kDefaultStateRoot;  // state directory (--root)
  bool systemd_cgroup = false;       // cgroupsPath uses systemd's "slice:prefix:name" form
};

struct CreateOptions {
  std::string id;
  std::string bundle;  // directory holding config.json (ignored when `config` is given)
  std::optional<nlohmann::json> config;  // an in-memory config.json instead of the bundle's
  std::string pid_file;
  std::string console_socket;
  int preserve_fds = 0;
  bool overlay_rootfs = false;  // root.path is a shared read-only base under a private upper
  std::string overlay_layers_dir;  // where upper/ and work/ live (default: the state directory)
  // process.terminal without --console-socket: the runtime itself takes the pty and relays it
  // to its own stdio (foreground `run` only).
  bool relay_terminal = false;
};

struct ExecOptions {
  std::string id;
  ProcessSpec process;
  std::string pid_file;
  std::string console_socket;
  int preserve_fds = 0;
  bool detach = false;
};

struct ContainerSummary {
  ContainerRecord record;
  std::string status;
};

class Runtime {
 public:
  explicit Runtime(RuntimeOptions options);

  void create(const CreateOptions& options);
  void start(const std::string& id);
  // create + start; unless `detach`, waits for the container, deletes it and returns its exit
  // status (128 + signal when killed).
  int run(const CreateOptions& options, bool detach);
  nlohmann::json state(const std::string& id) const;
  void kill(const std::string& id, int signal, bool all);
  void remove(const std::string& id, bool force);
  int exec(const ExecOptions& options);
  std::vector<pid_t> processes(const std::string& id) const;
  std::vector<ContainerSummary> list() const;
  CgroupStats stats(const std::string& id) const;
  void set_paused(const std::string& id, bool paused);
  // Changes the limits of a live container (`update`): only the given resources are written.
  void update(const std::string& id, const ResourcesSpec& resources);
  // The container's config.json as saved at create time.
  Spec saved_spec(const std::string& id) const;

  const StateStore& store() const { return store_; }

 private:
  struct Created;
  Created create_container(const CreateOptions& options, bool wait_on_fifo);
  std::string status_of(const ContainerRecord& record, bool lock_held = false) const;
  Cgroup cgroup_of(const ContainerRecord& record) const;
  void destroy(const ContainerRecord& record, const Spec* spec);
  void report_oom(const ContainerRecord& record, int wait_status) const;

  RuntimeOptions options_;
  StateStore store_;
};

// Builds the state JSON of the OCI runtime spec (plus runc's rootfs/created/owner fields).
nlohmann::json state_document(const ContainerRecord& record, const std::string& status);

}  // namespace vessel::container
