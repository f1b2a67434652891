// `vesseld`: the manager daemon. Serves the REST API (docs/api/openapi.yaml) on a Unix
// socket and runs each VM as its own detached vessel-vmm process, and each container through
// vessel-runc. Killing the daemon touches neither: the next daemon re-adopts them from the
// state directory.
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <cstdio>
#include <filesystem>

#include "api/dispatcher.h"
#include "api/http_server.h"
#include "api/static_files.h"
#include "manager/container_registry.h"
#include "manager/event_log.h"
#include "manager/image_store.h"
#include "manager/registry.h"
#include "manager/state_dir.h"

namespace {

std::string beside_us(const char* program) {
  char buf[PATH_MAX];
  const ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return program;
  buf[n] = '\0';
  return (std::filesystem::path(buf).parent_path() / program).string();
}

// /sys/kernel/mm/ksm: run = 1, pages_to_scan = N (per sleep_millisecs, 20 by default).
std::string enable_ksm(int pages_to_scan) {
  const std::string dir = "/sys/kernel/mm/ksm/";
  for (const auto& [file, value] : {std::pair{"pages_to_scan", std::to_string(pages_to_scan)}, std::pair{"run", std::string("1")}}) {
    FILE* f = fopen((dir + file).c_str(), "we");
    if (!f) return dir + file + ": " + strerror(errno) + " (no KSM in this kernel, or not root)";
    const bool ok = fputs(value.c_str(), f) >= 0;
    if (fclose(f) != 0 || !ok) return dir + file + ": " + strerror(errno);
  }
  return {};
}

// The build tree's web/ beside the binary, else PREFIX/share/vessel/web of an installation.
std::string default_web_root() {
  const std::string beside = beside_us("web");
  if (std::filesystem::exists(beside + "/index.html")) return beside;
  return std::filesystem::path(beside_us("..")).lexically_normal().string() + "/share/vessel/web";
}

// ADDR:PORT ([::1]:PORT for IPv6) on a loopback address: without TLS and client
// authentication the dashboard must not be reachable from other hosts.
vessel::Result<std::unique_ptr<vessel::api::HttpServer>> serve_dashboard(const std::string& address, const std::string& root,
                                                                      vessel::api::Dispatcher& dispatcher) {
  const size_t colon = address.rfind(':');
  if (colon == std::string::npos) return vessel::Error{"--http takes ADDR:PORT, not " + address};
  std::string host = address.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  const bool loopback = host == "::1" || host == "localhost" || host.rfind("127.", 0) == 0;
  if (!loopback) return vessel::Error{"--http serves loopback addresses only (127.0.0.0/8, ::1): " + host};
  if (host == "localhost") host = "127.0.0.1";
  unsigned port = 0;
  try {
    port = static_cast<unsigned>(std::stoul(address.substr(colon + 1)));
  } catch (const std::exception&) {
    return vessel::Error{"--http: bad port in " + address};
  }
  return vessel::api::HttpServer::listen_tcp(host, port, [&dispatcher, root](const vessel::api::HttpRequest& r) {
    if (auto file = vessel::api::serve_static(root, r)) return std::move(*file);
    return dispatcher.handle(r);
  });
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Vessel manager daemon: REST API on a Unix socket, one vessel-vmm process per VM", "vesseld"};
  std::string socket_path = "/run/vessel/vessel.sock", state_path = "/var/lib/vessel", vmm_binary, runc_binary, log_file;
  std::string http_address, web_root;
  bool no_autostart = false;
  int ksm_pages_to_scan = -1;
  app.add_option("--socket", socket_path, "API socket (mode 0660)")->capture_default_str();
  app.add_option("--state-dir", state_path, "VM definitions and runtime state")->capture_default_str();
  app.add_option("--vmm", vmm_binary, "vessel-vmm binary (default: beside vesseld)");
  app.add_option("--runc", runc_binary, "vessel-runc binary for containers (default: beside vesseld)");
  app.add_option("--http", http_address,
                 "also serve the API and the web dashboard over HTTP on ADDR:PORT (loopback only: there is no TLS)");
  app.add_option("--web-root", web_root, "the dashboard's files (default: web/ beside vesseld, else PREFIX/share/vessel/web)");
  app.add_option("--log-file", log_file, "append structured logs (JSON lines) here instead of stderr");
  app.add_flag("--no-autostart", no_autostart, "do not start VMs marked autostart");
  bool no_sandbox = false;
  std::string sandbox_uids = "300000-309999", jail_root = "/run/vessel/jail";
  app.add_flag("--no-sandbox", no_sandbox,
               "run every VMM unjailed (for debugging; each VM's info then shows \"sandbox\": false); by default "
               "each VMM is jailed: namespaces, its own root, uid and seccomp filters (docs/security.md)");
  app.add_option("--sandbox-uids", sandbox_uids,
                 "FIRST-LAST: the uids (and gids) jailed VMMs get, one each; none may belong to an account")
      ->capture_default_str();
  app.add_option("--sandbox-root", jail_root, "empty directory each jailed VMM mounts its root on (privately)")
      ->capture_default_str();
  std::string cgroup_parent;
  app.add_option("--sandbox-cgroup-parent", cgroup_parent,
                 "run each jailed VMM in a cgroup of its own, DIR/NAME (cgroup v2, or a v1 memory hierarchy such as "
                 "/sys/fs/cgroup/memory/vessel), memory limit = guest memory + 1G");
  app.add_option("--ksm", ksm_pages_to_scan,
                 "turn the host's KSM on, scanning N pages per 20 ms, and offer every VM's RAM to it "
                 "(ksmd's CPU grows with N: see docs/manager.md)")
      ->expected(0, 1)
      ->default_str("100");
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    fprintf(stderr, "vesseld: %s\n", e.what());
    return 2;
  }
  FILE* log_out = stderr;
  if (!log_file.empty() && !(log_out = fopen(log_file.c_str(), "ae"))) {
    fprintf(stderr, "vesseld: cannot open %s\n", log_file.c_str());
    return 1;
  }
  vessel::manager::EventLog log(log_out);
  if (vmm_binary.empty()) vmm_binary = beside_us("vessel-vmm");
  if (runc_binary.empty()) runc_binary = beside_us("vessel-runc");
  if (access(runc_binary.c_str(), X_OK) != 0) {
    log.error("vessel-runc not found or not executable", {{"path", runc_binary}});
    return 1;
  }
  if (access(vmm_binary.c_str(), X_OK) != 0) {
    log.error("vessel-vmm not found or not executable", {{"path", vmm_binary}});
    return 1;
  }

  // Signals arrive on sigwait below; block them before any thread starts. Clients that hang
  // up must not kill us.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  signal(SIGPIPE, SIG_IGN);

  auto state = vessel::manager::StateDir::open(state_path);
  if (!state) {
    log.error("cannot use the state directory", {{"error", state.error()}});
    return 1;
  }
  vessel::manager::RegistryOptions registry_options;
  registry_options.vmm_binary = vmm_binary;
  registry_options.sandbox.enabled = !no_sandbox;
  registry_options.sandbox.jail_root = jail_root;
  registry_options.sandbox.cgroup_parent = cgroup_parent;
  if (std::error_code ec; !cgroup_parent.empty() && !std::filesystem::create_directories(cgroup_parent, ec) && ec) {
    fprintf(stderr, "vesseld: cannot create --sandbox-cgroup-parent %s: %s\n", cgroup_parent.c_str(), ec.message().c_str());
    return 2;
  }
  if (!vessel::manager::parse_uid_range(sandbox_uids, registry_options.sandbox.uid_first,
                                         registry_options.sandbox.uid_last)) {
    fprintf(stderr, "vesseld: invalid --sandbox-uids '%s' (expected FIRST-LAST, e.g. 300000-309999)\n",
            sandbox_uids.c_str());
    return 2;
  }
  if (no_sandbox) log.warn("VMMs run unjailed (--no-sandbox)", {});
  if (app.count("--ksm")) {
    if (ksm_pages_to_scan < 0) ksm_pages_to_scan = 100;
    if (auto err = enable_ksm(ksm_pages_to_scan); !err.empty()) {
      log.error("cannot turn KSM on", {{"error", err}});
      return 1;
    }
    log.info("KSM on", {{"pages_to_scan", ksm_pages_to_scan}});
    registry_options.ksm = true;
  }
  auto registry = vessel::manager::Registry::open(std::move(state.value()), registry_options, log);
  if (!registry) {
    log.error("cannot load the registry", {{"error", registry.error()}});
    return 1;
  }
  // Container inits become our children once the `vessel-runc create` that forked them exits:
  // that is how their exit status reaches us.
  prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
  vessel::manager::ImageStore images(state_path + "/images");
  std::filesystem::create_directories(state_path + "/images");
  std::filesystem::create_directories(state_path + "/containers");
  vessel::manager::ContainerRegistry containers(state_path + "/containers", runc_binary, images, log);
  vessel::api::Dispatcher dispatcher(*registry.value(), containers, images, log);
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(socket_path).parent_path(), ec);
  auto handler = [&](const vessel::api::HttpRequest& r) { return dispatcher.handle(r); };
  // Under systemd's vesseld.socket the listening socket is fd 3 (sd_listen_fds(3) protocol).
  const char* listen_pid = getenv("LISTEN_PID");
  const char* listen_fds = getenv("LISTEN_FDS");
  const bool activated = listen_pid && listen_fds && std::atol(listen_pid) == getpid() && std::atoi(listen_fds) >= 1;
  unsetenv("LISTEN_PID");
  unsetenv("LISTEN_FDS");
  unsetenv("LISTEN_FDNAMES");
  auto server = activated ? vessel::api::HttpServer::adopt(3, handler)
                          : vessel::api::HttpServer::listen(socket_path, 0660, handler);
  if (!server) {
    log.error("cannot serve the API", {{"error", server.error()}});
    return 1;
  }
  std::unique_ptr<vessel::api::HttpServer> http;
  if (!http_address.empty()) {
    auto listening = serve_dashboard(http_address, web_root.empty() ? default_web_root() : web_root, dispatcher);
    if (!listening) {
      log.error("cannot serve HTTP", {{"error", listening.error()}});
      return 2;
    }
    http = std::move(listening.value());
    log.info("dashboard and API over HTTP", {{"address", http_address}, {"port", http->port()}});
  }
  log.info("vesseld listening", {{"socket", socket_path}, {"state_dir", state_path}, {"pid", getpid()}});
  if (!no_autostart) {
    registry.value()->autostart();
    containers.autostart();
  }

  int signo = 0;
  sigwait(&set, &signo);
  log.info("vesseld shutting down; VMs keep running", {{"signal", signo}});
  if (http) http->stop();
  server.value()->stop();
  return 0;
}
