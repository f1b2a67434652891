#include "sandbox/vm_jail_plan.h"

#include <sys/stat.h>

#include "storage/open_disk.h"

namespace vessel::sandbox {
namespace {

std::string parent_of(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

Result<bool> absolute(const std::string& path, const char* what) {
  if (path.empty() || path[0] != '/')
    return Error{std::string("--sandbox: ") + what + " must be an absolute path: " + path};
  return true;
}

// A read-write directory becomes writable by the jail's group: refuse shared ones.
Result<bool> own_directory(const std::string& dir, const char* what) {
  struct stat st {};
  if (stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    return Error{std::string("--sandbox: the directory of the ") + what + " does not exist: " + dir};
  if (dir == "/" || (st.st_mode & S_IWOTH))
    return Error{std::string("--sandbox: the ") + what + " is in " + dir +
                 ", a directory shared with others; put it in a directory of its own"};
  return true;
}

Result<bool> add_disk(JailPlan& plan, const vmm::DriveSpec& d) {
  if (auto ok = absolute(d.file, "a disk image"); !ok) return ok;
  plan.bind(d.file, !d.read_only, false);
  plan.preopen(d.file, !d.read_only);
  // The backing chain, read-only: open the image (read-only) to follow it.
  auto image = storage::open_disk(d.file, d.format, true);
  if (!image) return Error{"--sandbox: " + image.error()};
  for (storage::DiskImage* b = image.value()->backing(); b; b = b->backing()) {
    const std::string path = b->info().path;
    if (path.empty() || path[0] != '/') return Error{"--sandbox: cannot place backing file " + path + " in the jail"};
    plan.bind(path, false, false);
    plan.preopen(path, false);  // readable even when only root may read it
  }
  return true;
}

}  // namespace

Result<JailPlan> plan_vm_jail(const vmm::VmConfig& config, const VmSockets& sockets,
                              const std::vector<std::string>& extra_binds, JailOptions options) {
  JailPlan plan;
  plan.options = std::move(options);
  vmm::VmConfig machine = config;
  if (!config.restore_from.empty()) {
    if (auto ok = absolute(config.restore_from, "the snapshot"); !ok) return Error{ok.error()};
    plan.bind(config.restore_from, false, false);
    plan.preopen(config.restore_from, false);
    auto saved = vmm::VirtualMachine::snapshot_config(config.restore_from);
    if (!saved) return Error{"--sandbox: " + saved.error()};
    machine = saved.value();
  }
  for (const auto& [path, what] : {std::pair{machine.kernel, "the kernel"}, {machine.initrd, "the initrd"},
                                   {machine.bios, "the firmware"}}) {
    if (path.empty()) continue;
    if (auto ok = absolute(path, what); !ok) return Error{ok.error()};
    plan.bind(path, false, false);
    plan.preopen(path, false);
  }
  for (const vmm::DriveSpec& d : machine.drives)
    if (auto ok = add_disk(plan, d); !ok) return Error{ok.error()};
  for (const vmm::NetSpec& n : machine.nets) {
    if (!n.ifname.empty()) plan.taps.push_back(n.ifname);
    if (n.kind == vmm::NetSpec::Kind::Vde) plan.vde_switches.push_back(n.sock);
  }
  if (!plan.taps.empty()) plan.bind("/dev/net/tun", true, false);
  // A shared directory, and nothing around it; read-only binds for read-only shares, so the
  // kernel refuses writes even if the 9p server did not.
  for (const vmm::ShareSpec& s : machine.shares) {
    if (auto ok = absolute(s.path, "a shared directory"); !ok) return Error{ok.error()};
    plan.bind_share(s.path, !s.read_only);
  }
  // libslirp forwards the guest's DNS queries to the host's resolvers.
  for (const vmm::NetSpec& n : machine.nets) {
    struct stat st {};
    if (n.kind == vmm::NetSpec::Kind::User && stat("/etc/resolv.conf", &st) == 0) plan.bind("/etc/resolv.conf", false, false);
  }
  std::vector<std::string> socket_paths = sockets.paths;
  if (machine.vsock && !machine.vsock->uds.empty()) socket_paths.push_back(machine.vsock->uds);
  if (!config.dump_dtb.empty()) socket_paths.push_back(config.dump_dtb);
  for (const std::string& s : socket_paths) {
    if (auto ok = absolute(s, "socket"); !ok) return Error{ok.error()};
    const std::string dir = parent_of(s);
    if (auto ok = own_directory(dir, "socket"); !ok) return Error{ok.error()};
    plan.bind(dir, true, true);
  }
  for (const std::string& text : extra_binds) {
    const bool rw = text.size() > 3 && text.compare(text.size() - 3, 3, ":rw") == 0;
    const std::string path = rw ? text.substr(0, text.size() - 3) : text;
    if (auto ok = absolute(path, "--sandbox-bind"); !ok) return Error{ok.error()};
    struct stat st {};
    if (stat(path.c_str(), &st) != 0) return Error{"--sandbox-bind: no such file or directory: " + path};
    if (rw && S_ISDIR(st.st_mode))
      if (auto ok = own_directory(path, "--sandbox-bind directory"); !ok) return Error{ok.error()};
    plan.bind(path, rw, S_ISDIR(st.st_mode));
  }
  // A file in a directory bound read-write is already in the jail, at its path: binding it
  // again would pin it (a snapshot could not be replaced by rename over the file restored from).
  std::vector<Bind> kept;
  for (const Bind& b : plan.binds) {
    bool inside = false;
    if (!b.directory)
      for (const Bind& d : plan.binds)
        if (d.directory && d.writable && parent_of(b.path) == d.path) inside = true;
    if (!inside) kept.push_back(b);
  }
  plan.binds = kept;
  return plan;
}

}  // namespace vessel::sandbox
