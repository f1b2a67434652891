#include "vmm/control_server.h"
#include "common/thread_kind.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>

#include "common/unix_socket.h"
#include "vmm/guest_shutdown.h"
#include "vmm/control_ops.h"
#include "vmm/virtual_machine.h"

namespace vessel::vmm {

using nlohmann::json;

ControlServer::~ControlServer() {
  if (thread_.joinable()) {
    const uint64_t one = 1;
    (void)!write(stop_fd_, &one, sizeof one);
    thread_.join();
  }
  if (listen_fd_ >= 0) {
    close(listen_fd_);
    unlink(path_.c_str());
  }
  if (stop_fd_ >= 0) close(stop_fd_);
}

Result<std::unique_ptr<ControlServer>> ControlServer::listen(const std::string& path) {
  std::unique_ptr<ControlServer> s(new ControlServer());
  auto fd = listen_unix(path, 8);
  if (!fd) return Error{fd.error()};
  s->listen_fd_ = fd.value();
  s->path_ = path;
  s->stop_fd_ = eventfd(0, EFD_CLOEXEC);
  s->thread_ = std::thread([p = s.get()] {
    enter_thread_kind(ThreadKind::Control);
    p->serve();
  });
  return s;
}

void ControlServer::attach(VirtualMachine* vm) {
  std::lock_guard lock(vm_mutex_);
  vm_ = vm;
}

std::string ControlServer::handle(VirtualMachine* vm, const std::string& line) {
  json req = json::parse(line, nullptr, false);
  if (req.is_discarded() || !req.is_object() || !req.contains("op") || !req["op"].is_string())
    return json{{"ok", false}, {"error", "expected a JSON object with a string field \"op\""}}.dump();
  const std::string op = req["op"];
  if (!vm) return json{{"ok", false}, {"error", "no virtual machine is running"}}.dump();
  auto* balloon = vm->balloon();
  if (auto answer = handle_vmm_op(*vm, req, op)) return *answer;  // snapshot, limits, metrics
  if (op == "status") {
    json r{{"ok", true}, {"paused", vm->paused()}, {"harts", vm->board().harts.size()},
           {"memory_bytes", vm->board().as.ram().size()}, {"state", vm->paused() ? "paused" : "running"},
           {"uptime_seconds", vm->uptime_seconds()}};
    uint64_t instret = 0;
    for (auto& h : vm->board().harts) instret += h->instret;
    r["instructions"] = instret;
    // Where its disks are: after a migration with disk copy, new images (vesseld records them).
    json drives = json::array();
    for (const DriveSpec& d : vm->current_config().drives) drives.push_back({{"file", d.file}, {"read_only", d.read_only}});
    r["drives"] = drives;
    if (balloon) r["balloon"] = {{"target_bytes", balloon->target_bytes()}, {"actual_bytes", balloon->actual_bytes()}};
    if (const auto& v = vm->current_config().vsock) r["vsock"] = {{"cid", v->cid}, {"socket", v->uds}};
    return r.dump();
  }
  if (op == "pause") {
    vm->pause();
    return json{{"ok", true}}.dump();
  }
  if (op == "resume") {
    if (vm->migration_holds_pause())
      return json{{"ok", false}, {"error", "a migration is sending the VM's last pages; it resumes here only if that fails"}}.dump();
    vm->resume();
    return json{{"ok", true}}.dump();
  }
  if (op == "stop") {
    vm->stop(VmExit::Quit);
    return json{{"ok", true}}.dump();
  }
  if (op == "shutdown") {  // ask the guest to power off (it may take a while or ignore it)
    if (vm->paused()) return json{{"ok", false}, {"error", "the VM is paused"}}.dump();
    auto r = request_guest_poweroff(*vm->board().uart);
    if (!r) return json{{"ok", false}, {"error", r.error()}}.dump();
    return json{{"ok", true}}.dump();
  }
  if (op == "balloon") {
    if (!req.contains("bytes") || !req["bytes"].is_number_unsigned())
      return json{{"ok", false}, {"error", "balloon needs an unsigned \"bytes\""}}.dump();
    const uint64_t bytes = req["bytes"];
    if (bytes > vm->board().as.ram().size())
      return json{{"ok", false}, {"error", "balloon target larger than guest memory"}}.dump();
    balloon->set_target_bytes(bytes);
    return json{{"ok", true}}.dump();
  }
  if (op == "balloon-stats") {
    json stats = json::object();
    for (const auto& [tag, value] : balloon->stats()) stats[std::to_string(tag)] = value;
    return json{{"ok", true},
                {"stats", stats},
                {"actual_bytes", balloon->actual_bytes()},
                {"pages_returned", balloon->pages_returned_to_host()},
                {"pages_reported_free", balloon->pages_reported_free()}}
        .dump();
  }
  return json{{"ok", false}, {"error", "unknown op '" + op + "'"}}.dump();
}

void ControlServer::set_epilogue(const std::string& final_status) {
  std::lock_guard lock(vm_mutex_);
  epilogue_ = final_status;
}

bool ControlServer::wait_epilogue_read(std::chrono::milliseconds timeout) {
  std::unique_lock lock(vm_mutex_);
  return epilogue_cv_.wait_for(lock, timeout, [&] { return epilogue_read_; });
}

void ControlServer::serve_client(int fd) {
  std::string buf;
  char chunk[4096];
  for (;;) {
    pollfd fds[2] = {{fd, POLLIN, 0}, {stop_fd_, POLLIN, 0}};
    if (poll(fds, 2, -1) < 0 && errno != EINTR) break;
    if (fds[1].revents) break;
    const ssize_t n = read(fd, chunk, sizeof chunk);
    if (n <= 0) break;
    buf.append(chunk, static_cast<size_t>(n));
    if (buf.size() > (1 << 20)) break;  // no sane request is this long
    size_t nl;
    while ((nl = buf.find('\n')) != std::string::npos) {
      std::string answer;
      {
        std::lock_guard lock(vm_mutex_);
        const std::string line = buf.substr(0, nl);
        const json req = json::parse(line, nullptr, false);
        const std::string op = req.is_object() && req.contains("op") && req["op"].is_string() ? req["op"] : "";
        if (!vm_ && !epilogue_.empty() && (op == "migrate-status" || op == "status")) {
          answer = (op == "status" ? json{{"ok", true}, {"state", "migrated"}}.dump() : epilogue_) + "\n";
          epilogue_read_ = epilogue_read_ || op == "migrate-status";
          epilogue_cv_.notify_all();
        } else {
          answer = handle(vm_, line) + "\n";
        }
      }
      buf.erase(0, nl + 1);
      // A client that hung up must not take the VM down with SIGPIPE.
      if (send(fd, answer.data(), answer.size(), MSG_NOSIGNAL) < 0) return;
    }
  }
}

void ControlServer::serve() {
  for (int client; (client = accept_or_stop(listen_fd_, stop_fd_)) >= 0;) {
    serve_client(client);  // one client at a time: requests are short
    close(client);
  }
}

}  // namespace vessel::vmm
