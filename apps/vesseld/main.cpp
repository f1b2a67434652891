// `vesseld`: the manager daemon. Serves the REST API (docs/api/openapi.yaml) on a Unix
// socket and runs each VM as its own detached vessel-vmm process, and each container through
// vessel-runc. Killing the daemon touches neither: the next daemon re-adopts them from the
// state directory.
#include <grp.h>
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
#include "http/http_server.h"
#include "api/static_files.h"
#include "http/tls_context.h"
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

// HOST:PORT or [V6]:PORT into its parts; port 0 is allowed (any free one).
vessel::Result<std::pair<std::string, unsigned>> split_address(const std::string& option, const std::string& address) {
  const size_t colon = address.rfind(':');
  if (colon == std::string::npos) return vessel::Error{option + " takes ADDR:PORT, not " + address};
  std::string host = address.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (host == "localhost") host = "127.0.0.1";
  const std::string port = address.substr(colon + 1);
  if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos || std::stoul(port) > 65535)
    return vessel::Error{option + ": bad port in " + address};
  return std::pair{host, static_cast<unsigned>(std::stoul(port))};
}

// ADDR:PORT ([::1]:PORT for IPv6) on a loopback address: without TLS and client
// authentication the dashboard must not be reachable from other hosts.
vessel::Result<std::unique_ptr<vessel::http::HttpServer>> serve_dashboard(const std::string& address, const std::string& root,
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
  return vessel::http::HttpServer::listen_tcp(host, port, [&dispatcher, root](const vessel::http::HttpRequest& r) {
    if (auto file = vessel::api::serve_static(root, r)) return std::move(*file);
    return dispatcher.handle(r);
  });
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Vessel manager daemon: REST API on a Unix socket (and over mutual TLS with --listen), one vessel-vmm "
               "process per VM", "vesseld"};
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
  std::string socket_group, listen_address, tls_dir, audit_file;
  app.add_option("--socket-group", socket_group,
                 "group of the API socket: its members may use every API call (mode 0660)");
  app.add_option("--listen", listen_address,
                 "also serve the API over TCP with mutual TLS on ADDR:PORT (needs --tls-dir); the client "
                 "certificate's role decides what it may do (admin, host, read-only)");
  app.add_option("--tls-dir", tls_dir,
                 "this host's TLS identity, as `vessel cluster init` or `vessel cert issue --role host` makes it: "
                 "ca.crt (the cluster CA), host.crt, host.key; used for --listen and to reach other daemons "
                 "(migration to https://HOST:PORT)");
  app.add_option("--audit-log", audit_file,
                 "append one JSON line per state-changing request (who, method, path, status) here too");
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
  if (!listen_address.empty() && tls_dir.empty()) {
    log.error("--listen needs --tls-dir: the API over TCP is served with mutual TLS only");
    return 2;
  }
  std::shared_ptr<vessel::http::TlsContext> server_tls, client_tls;
  if (!tls_dir.empty()) {
    const auto files = vessel::http::tls_files_in(tls_dir, "host");
    auto s = vessel::http::TlsContext::create(vessel::http::TlsContext::Side::Server, files);
    auto c = s ? vessel::http::TlsContext::create(vessel::http::TlsContext::Side::Client, files) : s;
    if (!s || !c) {
      log.error("cannot use the TLS identity", {{"tls_dir", tls_dir}, {"error", s ? c.error() : s.error()}});
      return 2;
    }
    server_tls = s.value();
    client_tls = c.value();
  }
  gid_t socket_gid = static_cast<gid_t>(-1);
  if (!socket_group.empty()) {
    const group* g = getgrnam(socket_group.c_str());
    if (!g) {
      log.error("no such group for --socket-group", {{"group", socket_group}});
      return 2;
    }
    socket_gid = g->gr_gid;
  }
  FILE* audit_out = nullptr;
  if (!audit_file.empty() && !(audit_out = fopen(audit_file.c_str(), "ae"))) {
    log.error("cannot open the audit log", {{"path", audit_file}, {"error", strerror(errno)}});
    return 1;
  }
  std::unique_ptr<vessel::manager::EventLog> audit_log;
  if (audit_out) audit_log = std::make_unique<vessel::manager::EventLog>(audit_out);
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
  vessel::manager::NetworkRegistry networks(state_path + "/networks", log);
  networks.open();
  vessel::manager::RegistryOptions registry_options;
  registry_options.vmm_binary = vmm_binary;
  registry_options.networks_dir = networks.dir();
  registry_options.network_exists = [&networks](const std::string& name) { return networks.exists(name); };
  registry_options.peer_tls = client_tls;
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
  vessel::api::Dispatcher dispatcher(*registry.value(), containers, images, networks, log);
  dispatcher.set_audit_log(audit_log.get());
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(socket_path).parent_path(), ec);
  auto handler = [&](const vessel::http::HttpRequest& r) { return dispatcher.handle(r); };
  // Under systemd's vesseld.socket the listening socket is fd 3 (sd_listen_fds(3) protocol).
  const char* listen_pid = getenv("LISTEN_PID");
  const char* listen_fds = getenv("LISTEN_FDS");
  const bool activated = listen_pid && listen_fds && std::atol(listen_pid) == getpid() && std::atoi(listen_fds) >= 1;
  unsetenv("LISTEN_PID");
  unsetenv("LISTEN_FDS");
  unsetenv("LISTEN_FDNAMES");
  auto server = activated ? vessel::http::HttpServer::adopt(3, handler)
                          : vessel::http::HttpServer::listen(socket_path, 0660, handler);
  if (!server) {
    log.error("cannot serve the API", {{"error", server.error()}});
    return 1;
  }
  if (!activated && socket_gid != static_cast<gid_t>(-1) && chown(socket_path.c_str(), static_cast<uid_t>(-1), socket_gid) != 0) {
    log.error("cannot give the API socket to its group", {{"group", socket_group}, {"error", strerror(errno)}});
    return 1;
  }
  std::unique_ptr<vessel::http::HttpServer> remote;
  if (!listen_address.empty()) {
    auto where = split_address("--listen", listen_address);
    auto listening = where ? vessel::http::HttpServer::listen_tls(
                                 where->first, where->second, server_tls, handler,
                                 [&log](const vessel::http::Peer& peer, const std::string& why) {
                                   log.warn("TLS connection refused", {{"address", peer.remote_address}, {"error", why}});
                                 })
                           : vessel::Result<std::unique_ptr<vessel::http::HttpServer>>(vessel::Error{where.error()});
    if (!listening) {
      log.error("cannot serve the API over TLS", {{"error", listening.error()}});
      return 2;
    }
    remote = std::move(listening.value());
    log.info("API over mutual TLS", {{"address", where->first}, {"port", remote->port()}});
  }
  std::unique_ptr<vessel::http::HttpServer> http;
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
  if (remote) remote->stop();
  server.value()->stop();
  return 0;
}
