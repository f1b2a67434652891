#include "container/cgroup.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <sstream>
#include <thread>

#include "container/error.h"
#include "container/state_store.h"

namespace vessel::container {

namespace {

bool write_file(const std::string& path, const std::string& value) {
  const int fd = open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return false;
  const ssize_t n = ::write(fd, value.data(), value.size());
  const int saved = errno;
  close(fd);
  errno = saved;
  return n == static_cast<ssize_t>(value.size());
}

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

uint64_t read_number(const std::string& path) {
  auto text = read_whole_file(path);
  if (!text) return 0;
  const std::string t = trim(*text);
  if (t.empty() || t == "max") return 0;
  return std::strtoull(t.c_str(), nullptr, 10);
}

// "key value" lines (memory.stat, memory.events, memory.oom_control, cpu.stat).
uint64_t read_keyed(const std::string& path, const std::string& key) {
  auto text = read_whole_file(path);
  if (!text) return 0;
  std::stringstream ss(*text);
  std::string k;
  uint64_t v = 0;
  while (ss >> k >> v)
    if (k == key) return v;
  return 0;
}

void make_dir_chain(const std::string& mount_point, const std::string& path, bool cpuset) {
  std::string current = mount_point;
  std::stringstream ss(path);
  std::string part;
  while (std::getline(ss, part, '/')) {
    if (part.empty()) continue;
    const std::string parent = current;
    current += "/" + part;
    if (mkdir(current.c_str(), 0755) != 0) {
      if (errno == EEXIST) continue;
      throw_errno("create cgroup " + current);
    }
    // A new v1 cpuset starts with no cpus or mems and refuses tasks until it inherits them.
    if (cpuset) {
      for (const char* file : {"cpuset.cpus", "cpuset.mems"}) {
        const std::string value = trim(read_whole_file(parent + "/" + file).value_or(""));
        if (!value.empty()) write_file(current + "/" + file, value);
      }
    }
  }
}

std::string device_rule_text(const DeviceRule& rule) {
  auto number = [](const std::optional<int64_t>& n) { return n && *n >= 0 ? std::to_string(*n) : std::string("*"); };
  if (rule.type == "a" && !rule.major && !rule.minor) return "a *:* " + rule.access;
  return rule.type + " " + number(rule.major) + ":" + number(rule.minor) + " " + rule.access;
}

// Devices every container needs regardless of the config's rules (null, zero, full, tty,
// random, urandom, console, ptmx, pts, tun; mknod of anything).
const char* const kDefaultAllowedDevices[] = {
    "c *:* m", "b *:* m", "c 1:3 rwm", "c 1:5 rwm", "c 1:7 rwm", "c 1:8 rwm", "c 1:9 rwm",
    "c 5:0 rwm", "c 5:1 rwm", "c 5:2 rwm", "c 136:* rwm", "c 10:200 rwm",
};

}  // namespace

std::string cgroup_path_for(const std::string& cgroups_path, const std::string& id, bool systemd_style,
                            const std::string& state_root) {
  if (cgroups_path.empty()) {
    if (state_root == kDefaultStateRoot) return "/vessel/" + id;
    uint32_t hash = 2166136261u;  // FNV-1a: short, stable, no dependency
    for (unsigned char c : state_root) hash = (hash ^ c) * 16777619u;
    char prefix[16];
    snprintf(prefix, sizeof prefix, "%08x", hash);
    return "/vessel/" + std::string(prefix) + "-" + id;
  }
  if (systemd_style) {
    // "slice:prefix:name" -> /slice/prefix-name.scope, without talking to systemd.
    std::vector<std::string> parts;
    std::stringstream ss(cgroups_path);
    std::string p;
    while (std::getline(ss, p, ':')) parts.push_back(p);
    if (parts.size() == 3) {
      const std::string slice = parts[0].empty() ? "system.slice" : parts[0];
      return "/" + slice + "/" + (parts[1].empty() ? "" : parts[1] + "-") + parts[2] + ".scope";
    }
  }
  std::string path = cgroups_path[0] == '/' ? cgroups_path : "/" + cgroups_path;
  if (path.find("/../") != std::string::npos || (path.size() >= 3 && path.compare(path.size() - 3, 3, "/..") == 0))
    throw_bad_input("linux.cgroupsPath must not contain '..'");
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  return path;
}

uint64_t cpu_shares_to_weight(uint64_t shares) {
  if (shares == 0) return 0;
  if (shares < 2) shares = 2;
  if (shares > 262144) shares = 262144;
  return 1 + ((shares - 2) * 9999) / 262142;
}

Cgroup::Cgroup(CgroupLayout layout, std::string path) : layout_(std::move(layout)), path_(std::move(path)) {}

void Cgroup::write(const CgroupHierarchy* h, const char* file, const std::string& value) const {
  if (!h) throw Error(ErrorKind::System, std::string("cgroup controller for ") + file + " is not mounted");
  const std::string path = dir_in(*h) + "/" + file;
  if (!write_file(path, value)) throw_errno("write '" + value + "' to " + path);
}

void Cgroup::create() {
  if (layout_.mode == CgroupMode::Unified) {
    // Enable the controllers we use in every ancestor, so the leaf gets the interface files.
    const CgroupHierarchy* u = layout_.unified();
    if (!u) throw Error(ErrorKind::System, "no cgroup hierarchy is mounted");
    std::string current = u->mount_point;
    std::stringstream ss(path_);
    std::string part;
    while (std::getline(ss, part, '/')) {
      if (part.empty()) continue;
      for (const char* c : {"+cpu", "+memory", "+pids", "+cpuset", "+io", "+hugetlb"}) write_file(current + "/cgroup.subtree_control", c);
      current += "/" + part;
      if (mkdir(current.c_str(), 0755) != 0 && errno != EEXIST) throw_errno("create cgroup " + current);
    }
    return;
  }
  for (const auto& h : layout_.hierarchies) make_dir_chain(h.mount_point, path_, h.has("cpuset"));
}

void Cgroup::enable_v2_controller(const std::string& controller) const {
  const CgroupHierarchy* u = layout_.unified();
  if (!u || !u->has(controller)) throw Error(ErrorKind::System, "cgroup controller " + controller + " is not available");
  std::string current = u->mount_point;
  std::stringstream ss(path_);
  std::string part;
  while (std::getline(ss, part, '/')) {
    if (part.empty()) continue;
    write_file(current + "/cgroup.subtree_control", "+" + controller);
    current += "/" + part;
  }
}

void Cgroup::apply(const ResourcesSpec& r) {
  if (layout_.mode == CgroupMode::Unified) apply_v2(r);
  else apply_v1(r);
}

void Cgroup::apply_v1(const ResourcesSpec& r) {
  if (!r.unified.empty()) throw_bad_input("linux.resources.unified needs a cgroup v2 host");
  const CgroupHierarchy* mem = layout_.find("memory");
  if (r.memory_limit) write(mem, "memory.limit_in_bytes", std::to_string(*r.memory_limit));
  if (r.memory_swap) {
    if (!mem || access((dir_in(*mem) + "/memory.memsw.limit_in_bytes").c_str(), F_OK) != 0)
      throw Error(ErrorKind::System, "memory.swap is set but the host has no swap accounting");
    write(mem, "memory.memsw.limit_in_bytes", std::to_string(*r.memory_swap));
  }
  if (r.memory_reservation) write(mem, "memory.soft_limit_in_bytes", std::to_string(*r.memory_reservation));
  if (r.disable_oom_killer && *r.disable_oom_killer) write(mem, "memory.oom_control", "1");
  if (r.memory_kernel) write(mem, "memory.kmem.limit_in_bytes", std::to_string(*r.memory_kernel));
  if (r.memory_swappiness) write(mem, "memory.swappiness", std::to_string(*r.memory_swappiness));
  const CgroupHierarchy* blkio = layout_.find("blkio");
  auto device = [](const DeviceLimit& d) { return std::to_string(d.major) + ":" + std::to_string(d.minor) + " " + std::to_string(d.value); };
  // A weight of 0 means "not set" (Docker sends it by default, runc skips it); with the BFQ
  // scheduler the weight lives in blkio.bfq.weight, and kernels without CFQ or BFQ have neither.
  if (r.blkio_weight && *r.blkio_weight != 0) {
    const bool bfq = blkio && access((dir_in(*blkio) + "/blkio.bfq.weight").c_str(), F_OK) == 0;
    write(blkio, bfq ? "blkio.bfq.weight" : "blkio.weight", std::to_string(*r.blkio_weight));
  }
  if (r.blkio_leaf_weight && *r.blkio_leaf_weight != 0) write(blkio, "blkio.leaf_weight", std::to_string(*r.blkio_leaf_weight));
  for (const auto& d : r.blkio_weight_device) write(blkio, "blkio.weight_device", device(d));
  for (const auto& d : r.throttle_read_bps) write(blkio, "blkio.throttle.read_bps_device", device(d));
  for (const auto& d : r.throttle_write_bps) write(blkio, "blkio.throttle.write_bps_device", device(d));
  for (const auto& d : r.throttle_read_iops) write(blkio, "blkio.throttle.read_iops_device", device(d));
  for (const auto& d : r.throttle_write_iops) write(blkio, "blkio.throttle.write_iops_device", device(d));
  for (const auto& [size, limit] : r.hugepage_limits) {
    if (layout_.find("hugetlb")) {
      write(layout_.find("hugetlb"), ("hugetlb." + size + ".limit_in_bytes").c_str(), std::to_string(limit));
    } else {  // hybrid hosts may run hugetlb on the unified tree
      enable_v2_controller("hugetlb");
      write(layout_.unified(), ("hugetlb." + size + ".max").c_str(), std::to_string(limit));
    }
  }
  if (r.net_class_id) write(layout_.find("net_cls"), "net_cls.classid", std::to_string(*r.net_class_id));
  for (const auto& [name, prio] : r.net_priorities)
    write(layout_.find("net_prio"), "net_prio.ifpriomap", name + " " + std::to_string(prio));
  const CgroupHierarchy* cpu = layout_.find("cpu");
  if (r.cpu_shares) write(cpu, "cpu.shares", std::to_string(*r.cpu_shares));
  if (r.cpu_period) write(cpu, "cpu.cfs_period_us", std::to_string(*r.cpu_period));
  if (r.cpu_quota) write(cpu, "cpu.cfs_quota_us", std::to_string(*r.cpu_quota));
  const CgroupHierarchy* cpuset = layout_.find("cpuset");
  if (!r.cpuset_cpus.empty()) write(cpuset, "cpuset.cpus", r.cpuset_cpus);
  if (!r.cpuset_mems.empty()) write(cpuset, "cpuset.mems", r.cpuset_mems);
  if (r.pids_limit) write(layout_.find("pids"), "pids.max", *r.pids_limit > 0 ? std::to_string(*r.pids_limit) : "max");
  if (const CgroupHierarchy* dev = layout_.find("devices")) {
    for (const auto& rule : r.devices) write(dev, rule.allow ? "devices.allow" : "devices.deny", device_rule_text(rule));
    if (!r.devices.empty())
      for (const char* rule : kDefaultAllowedDevices) write(dev, "devices.allow", rule);
  }
}

void Cgroup::apply_v2(const ResourcesSpec& r) {
  const CgroupHierarchy* u = layout_.unified();
  if (r.memory_limit) write(u, "memory.max", *r.memory_limit > 0 ? std::to_string(*r.memory_limit) : "max");
  if (r.memory_reservation) write(u, "memory.low", std::to_string(*r.memory_reservation));
  if (r.memory_swap) {
    // OCI swap is memory+swap; v2 limits swap alone.
    const int64_t swap = *r.memory_swap < 0 ? -1 : *r.memory_swap - r.memory_limit.value_or(0);
    write(u, "memory.swap.max", swap < 0 ? "max" : std::to_string(swap));
  }
  if (r.cpu_shares) write(u, "cpu.weight", std::to_string(cpu_shares_to_weight(*r.cpu_shares)));
  if (r.cpu_quota || r.cpu_period) {
    const std::string quota = r.cpu_quota && *r.cpu_quota > 0 ? std::to_string(*r.cpu_quota) : "max";
    write(u, "cpu.max", quota + " " + std::to_string(r.cpu_period.value_or(100000)));
  }
  if (!r.cpuset_cpus.empty()) write(u, "cpuset.cpus", r.cpuset_cpus);
  if (!r.cpuset_mems.empty()) write(u, "cpuset.mems", r.cpuset_mems);
  if (r.memory_swappiness) throw_bad_input("linux.resources.memory.swappiness is not available on cgroup v2");
  // v1 blkio weights (10..1000) map linearly onto io.weight (1..10000).
  auto v2_weight = [](uint64_t w) { return 1 + (w - 10) * 9999 / 990; };
  if (r.blkio_weight && *r.blkio_weight != 0) write(u, "io.weight", std::to_string(v2_weight(std::clamp<uint64_t>(*r.blkio_weight, 10, 1000))));
  auto io_max = [&](const std::vector<DeviceLimit>& list, const char* key) {
    for (const auto& d : list)
      write(u, "io.max", std::to_string(d.major) + ":" + std::to_string(d.minor) + " " + key + "=" + std::to_string(d.value));
  };
  io_max(r.throttle_read_bps, "rbps");
  io_max(r.throttle_write_bps, "wbps");
  io_max(r.throttle_read_iops, "riops");
  io_max(r.throttle_write_iops, "wiops");
  for (const auto& [size, limit] : r.hugepage_limits) write(u, ("hugetlb." + size + ".max").c_str(), std::to_string(limit));
  if (r.pids_limit) write(u, "pids.max", *r.pids_limit > 0 ? std::to_string(*r.pids_limit) : "max");
  for (const auto& [file, value] : r.unified) {
    if (file.find('/') != std::string::npos) throw_bad_input("linux.resources.unified: invalid file name " + file);
    write(u, file.c_str(), value);
  }
  // Device rules need an eBPF program on v2; not implemented (documented in docs/containers.md).
}

void Cgroup::add_process(pid_t pid) {
  const std::string text = std::to_string(pid);
  for (const auto& h : layout_.hierarchies) write(&h, "cgroup.procs", text);
}

const CgroupHierarchy* Cgroup::tracking_hierarchy() const {
  if (const CgroupHierarchy* u = layout_.unified()) return u;
  if (const CgroupHierarchy* p = layout_.find("pids")) return p;
  return layout_.hierarchies.empty() ? nullptr : &layout_.hierarchies.front();
}

std::vector<pid_t> Cgroup::processes() const {
  std::vector<pid_t> pids;
  const CgroupHierarchy* h = tracking_hierarchy();
  if (!h) return pids;
  auto text = read_whole_file(dir_in(*h) + "/cgroup.procs");
  if (!text) return pids;
  std::stringstream ss(*text);
  pid_t pid = 0;
  while (ss >> pid) pids.push_back(pid);
  return pids;
}

void Cgroup::set_frozen(bool frozen) {
  if (layout_.mode == CgroupMode::Unified) {
    write(layout_.unified(), "cgroup.freeze", frozen ? "1" : "0");
    return;
  }
  const CgroupHierarchy* f = layout_.find("freezer");
  write(f, "freezer.state", frozen ? "FROZEN" : "THAWED");
  if (!frozen) return;
  for (int i = 0; i < 2000; ++i) {  // the kernel freezes asynchronously: wait for FROZEN
    if (trim(read_whole_file(dir_in(*f) + "/freezer.state").value_or("")) == "FROZEN") return;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

void Cgroup::signal_all(int signal) {
  const CgroupHierarchy* u = layout_.unified();
  if (signal == SIGKILL && u && write_file(dir_in(*u) + "/cgroup.kill", "1")) return;
  const CgroupHierarchy* freezer = layout_.find("freezer");
  const bool freeze = freezer && signal == SIGKILL;
  if (freeze) set_frozen(true);
  for (pid_t pid : processes()) kill(pid, signal);
  if (freeze) set_frozen(false);
}

bool Cgroup::wait_empty(int timeout_ms) const {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  const CgroupHierarchy* u = layout_.unified();
  const int events = u ? open((dir_in(*u) + "/cgroup.events").c_str(), O_RDONLY | O_CLOEXEC) : -1;
  bool empty = false;
  while (!(empty = processes().empty())) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    if (events >= 0) {
      // cgroup.events signals POLLPRI when "populated" changes.
      pollfd p{events, POLLPRI, 0};
      poll(&p, 1, static_cast<int>(std::min<int64_t>(left.count(), 50)));
      char buf[256];
      lseek(events, 0, SEEK_SET);
      (void)!read(events, buf, sizeof buf);
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }
  if (events >= 0) close(events);
  return empty;
}

void Cgroup::destroy() {
  if (!processes().empty()) {
    signal_all(SIGKILL);
    wait_empty(5000);
  }
  for (const auto& h : layout_.hierarchies) {
    const std::string dir = dir_in(h);
    for (int attempt = 0; attempt < 500; ++attempt) {
      if (rmdir(dir.c_str()) == 0 || errno == ENOENT) break;
      if (errno != EBUSY) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));  // exiting tasks are still leaving
    }
  }
}

CgroupStats Cgroup::stats() const {
  CgroupStats s;
  if (layout_.mode == CgroupMode::Unified) {
    const CgroupHierarchy* u = layout_.unified();
    if (!u) return s;
    const std::string d = dir_in(*u);
    s.memory_usage = read_number(d + "/memory.current");
    s.memory_max_usage = read_number(d + "/memory.peak");
    s.memory_limit = read_number(d + "/memory.max");
    s.memory_failcnt = read_keyed(d + "/memory.events", "max");
    s.oom_kills = read_keyed(d + "/memory.events", "oom_kill");
    s.cpu_usage_ns = read_keyed(d + "/cpu.stat", "usage_usec") * 1000;
    s.pids_current = read_number(d + "/pids.current");
    s.pids_limit = read_number(d + "/pids.max");
    return s;
  }
  if (const CgroupHierarchy* m = layout_.find("memory")) {
    const std::string d = dir_in(*m);
    s.memory_usage = read_number(d + "/memory.usage_in_bytes");
    s.memory_max_usage = read_number(d + "/memory.max_usage_in_bytes");
    s.memory_limit = read_number(d + "/memory.limit_in_bytes");
    s.memory_failcnt = read_number(d + "/memory.failcnt");
    s.oom_kills = read_keyed(d + "/memory.oom_control", "oom_kill");
  }
  if (const CgroupHierarchy* c = layout_.find("cpuacct")) s.cpu_usage_ns = read_number(dir_in(*c) + "/cpuacct.usage");
  if (const CgroupHierarchy* p = layout_.find("pids")) {
    s.pids_current = read_number(dir_in(*p) + "/pids.current");
    s.pids_limit = read_number(dir_in(*p) + "/pids.max");
  }
  return s;
}

}  // namespace vessel::container
