// Containers under vesseld, beside the VMs: each one an OCI container run by vessel-runc (its
// state under STATE/containers/.runtime), with its definition, bundle, output log and stdin
// FIFO in STATE/containers/NAME. Containers do not depend on the daemon: its crash leaves
// them running, and the next daemon finds them through the runtime's state. While it runs,
// the daemon is the containers' subreaper, so it learns their exit status.
#pragma once
#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "manager/container_definition.h"
#include "manager/event_log.h"
#include "manager/image_store.h"
#include "manager/manager_error.h"

namespace vessel::manager {

// Where console attach reads output (from the start of the log's tail) and writes input.
struct ContainerConsole {
  std::string log_path, stdin_fifo;
};

class ContainerRegistry {
 public:
  ContainerRegistry(std::string dir, std::string runc_binary, ImageStore& images, EventLog& log);
  ~ContainerRegistry();

  void autostart();
  Outcome<nlohmann::json> create(const nlohmann::json& body);
  nlohmann::json list();
  Outcome<nlohmann::json> get(const std::string& name);
  Outcome<nlohmann::json> start(const std::string& name);
  // SIGTERM, then SIGKILL once `timeout` has passed.
  Outcome<nlohmann::json> stop(const std::string& name, std::chrono::milliseconds timeout);
  Outcome<nlohmann::json> kill(const std::string& name, int signal);
  Outcome<nlohmann::json> pause(const std::string& name);
  Outcome<nlohmann::json> resume(const std::string& name);
  Outcome<nlohmann::json> remove(const std::string& name);
  // {"command": [...], "env": [...], "workdir", "user", "timeout_seconds"} -> exit_code, stdout, stderr.
  Outcome<nlohmann::json> exec(const std::string& name, const nlohmann::json& body);
  Outcome<std::string> logs(const std::string& name, size_t tail_bytes);
  Outcome<nlohmann::json> update_limits(const std::string& name, const nlohmann::json& body);
  Outcome<ContainerConsole> console(const std::string& name);
  std::string metrics_text();
  bool image_in_use(const std::string& image);

 private:
  struct Entry {
    std::mutex op;  // held for a whole action
    ContainerDefinition def;
    pid_t init = 0;           // the running init, when known
    std::string last_exit;    // "exited 0", "killed by signal 9", ...
    std::string started_at;   // RFC 3339
  };
  struct RuntimeState {
    std::string status;  // "" (no runtime state), created, running, paused, stopped
    pid_t pid = 0;
    std::string created;
  };

  std::string dir_of(const std::string& name) const { return dir_ + "/" + name; }
  std::shared_ptr<Entry> find(const std::string& name);
  std::vector<std::string> runc_args(const std::string& name, std::vector<std::string> args) const;
  Outcome<std::string> runc(const std::string& name, std::vector<std::string> args,
                            std::chrono::milliseconds timeout = std::chrono::seconds(30));
  RuntimeState runtime_state(const std::string& name);
  Outcome<nlohmann::json> start_locked(Entry& e);
  Outcome<nlohmann::json> freeze(const std::string& name, bool frozen);  // pause and resume
  // Waits for the init to exit (up to timeout); reaps it when it is our child.
  bool wait_exit(Entry& e, pid_t pid, std::chrono::milliseconds timeout);
  void cleanup_stopped(Entry& e);
  void save_last_exit(const Entry& e);
  // The init has exited: its status recorded (when it is our child), the runtime cleaned.
  bool reap_if_exited(Entry& e);  // kept in NAME/last_exit across daemon restarts
  nlohmann::json info(Entry& e);
  void load();
  void watch_loop();

  std::string dir_, runc_binary_, runtime_root_;
  ImageStore& images_;
  EventLog& log_;
  std::mutex table_mutex_;
  std::map<std::string, std::shared_ptr<Entry>> table_;
  std::mutex watch_mutex_;
  std::condition_variable watch_cv_;
  bool stopping_ = false;
  std::thread watcher_;
};

}  // namespace vessel::manager
