#include "container/runtime_cli.h"

#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iostream>

#include "container/cgroup_hierarchy.h"
#include "container/cli_flags.h"
#include "container/default_spec.h"
#include "container/error.h"
#include "container/lifecycle.h"
#include "container/quick_run.h"
#include "container/runtime_log.h"
#include "container/signal_names.h"
#include "container/state_store.h"

namespace vessel::container {

namespace {

constexpr const char* kVersion = "1.1.0";  // the runc CLI generation we follow

const char* const kUsage =
    "usage: %s [global options] <command> [options] <container-id> ...\n"
    "\n"
    "global options: --root DIR (default /run/vessel), --log FILE, --log-format text|json,\n"
    "                --systemd-cgroup, --debug\n"
    "commands:\n"
    "  create --bundle DIR [--pid-file F] [--console-socket S] [--rootfs-overlay DIR] ID\n"
    "                                 set up, wait for start\n"
    "  start ID                       run the configured process\n"
    "  run --bundle DIR [-d] ID       create + start (+ wait and delete unless -d)\n"
    "  run --rootfs DIR [--memory SIZE] [--cpus N] [--pids-limit N] [-t] -- CMD...\n"
    "  state ID                       OCI state JSON\n"
    "  kill [--all] ID [SIGNAL]       default SIGTERM\n"
    "  delete [--force] ID\n"
    "  exec [--process F | ...] ID [CMD...]\n"
    "  ps [--format table|json] ID    processes in the container\n"
    "  list [--format table|json] [-q]\n"
    "  events --stats ID              resource usage as JSON\n"
    "  pause ID | resume ID\n"
    "  update [--memory B] [--cpu-quota N] [--cpu-period N] [--cpu-share N] [--pids-limit N]\n"
    "         [--cpuset-cpus L] [--cpuset-mems L] [--resources F|-] ID   change limits while running\n"
    "  spec [--bundle DIR]            write a default config.json\n";

struct CliContext {
  Runtime& runtime;
  const std::string& command;
  const std::vector<std::string>& args;
  size_t next;  // first argument after the command
};

std::string single_id(const ParsedFlags& f, const std::string& command) {
  if (f.positionals().size() != 1) throw_bad_input(command + " requires exactly one container id");
  return f.positionals()[0];
}

int parse_count(const std::string& text, const char* what) {
  char* end = nullptr;
  const long n = std::strtol(text.c_str(), &end, 10);
  if (end == text.c_str() || *end || n < 0 || n > 1 << 20) throw_bad_input(std::string("invalid ") + what + " '" + text + "'");
  return static_cast<int>(n);
}

const std::vector<FlagSpec> kCreateFlags = {
    {{"bundle", "b"}, true}, {{"console-socket"}, true}, {{"pid-file"}, true},       {{"no-pivot"}, false},
    {{"no-new-keyring"}, false}, {{"preserve-fds"}, true}, {{"detach", "d"}, false}, {{"keep"}, false},
    {{"no-subreaper"}, false}, {{"rootfs-overlay"}, true},
};

CreateOptions create_options(const ParsedFlags& f, const std::string& command) {
  CreateOptions o;
  o.id = single_id(f, command);
  o.bundle = f.value("bundle", ".");
  o.pid_file = f.value("pid-file");
  o.console_socket = f.value("console-socket");
  if (f.has("preserve-fds")) o.preserve_fds = parse_count(f.value("preserve-fds"), "--preserve-fds");
  // Vessel's own: root.path is a read-only base under an overlay whose upper and work
  // directories live in DIR, so the container's changes outlive `delete` (vesseld's images).
  if (f.has("rootfs-overlay")) {
    o.overlay_rootfs = true;
    o.overlay_layers_dir = f.value("rootfs-overlay");
    if (o.overlay_layers_dir.empty() || o.overlay_layers_dir[0] != '/') throw_bad_input("--rootfs-overlay takes an absolute directory");
  }
  return o;
}

int cmd_create(CliContext& c) {
  const auto f = parse_flags(c.args, c.next, kCreateFlags, false, "create");
  c.runtime.create(create_options(f, "create"));
  return kCliExitOk;
}

int cmd_run(CliContext& c) {
  bool quick = false;
  for (size_t i = c.next; i < c.args.size() && c.args[i] != "--"; ++i)
    quick |= c.args[i] == "--rootfs" || c.args[i].rfind("--rootfs=", 0) == 0;
  if (quick) {
    const auto f = parse_flags(c.args, c.next, quick_run_flags(), false, "run");
    return quick_run(c.runtime, quick_run_options(f));
  }
  const auto f = parse_flags(c.args, c.next, kCreateFlags, false, "run");
  return c.runtime.run(create_options(f, "run"), f.flag("detach"));
}

int cmd_start(CliContext& c) {
  const auto f = parse_flags(c.args, c.next, {}, false, "start");
  c.runtime.start(single_id(f, "start"));
  return kCliExitOk;
}

int cmd_state(CliContext& c) {
  const auto f = parse_flags(c.args, c.next, {}, false, "state");
  std::cout << c.runtime.state(single_id(f, "state")).dump(2) << std::endl;
  return kCliExitOk;
}

int cmd_kill(CliContext& c) {
  const auto f = parse_flags(c.args, c.next, {{{"all", "a"}, false}}, false, "kill");
  const auto& pos = f.positionals();
  if (pos.empty() || pos.size() > 2) throw_bad_input("kill requires a container id and optionally a signal");
  const int signal = pos.size() == 2 ? parse_signal(pos[1]) : SIGTERM;
  if (signal < 0) throw_bad_input("kill: unknown signal '" + pos[1] + "'");
  c.runtime.kill(pos[0], signal, f.flag("all"));
  return kCliExitOk;
}

int cmd_delete(CliContext& c) {
  const auto f = parse_flags(c.args, c.next, {{{"force", "f"}, false}}, false, "delete");
  c.runtime.remove(single_id(f, "delete"), f.flag("force"));
  return kCliExitOk;
}

int cmd_ps(CliContext& c) {
  const auto f = parse_flags(c.args, c.next, {{{"format", "f"}, true}}, true, "ps");
  if (f.positionals().empty()) throw_bad_input("ps requires a container id");
  const auto pids = c.runtime.processes(f.positionals()[0]);
  const std::string format = f.value("format", "table");
  if (format == "json") {
    std::cout << nlohmann::json(pids).dump() << std::endl;
    return kCliExitOk;
  }
  if (format != "table") throw_bad_input("ps: --format must be table or json");
  std::cout << "PID CMD\n";
  for (pid_t pid : pids) {
    std::string cmd = read_whole_file("/proc/" + std::to_string(pid) + "/cmdline").value_or("");
    for (char& ch : cmd)
      if (ch == '\0') ch = ' ';
    std::cout << pid << " " << cmd << "\n";
  }
  return kCliExitOk;
}

int cmd_list(CliContext& c) {
  const auto f = parse_flags(c.args, c.next, {{{"format", "f"}, true}, {{"quiet", "q"}, false}}, false, "list");
  const auto all = c.runtime.list();
  if (f.flag("quiet")) {
    for (const auto& s : all) std::cout << s.record.id << "\n";
    return kCliExitOk;
  }
  if (f.value("format", "table") == "json") {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& s : all) out.push_back(state_document(s.record, s.status));
    std::cout << out.dump() << std::endl;
    return kCliExitOk;
  }
  printf("%-24s %-8s %-8s %-40s %s\n", "ID", "PID", "STATUS", "BUNDLE", "CREATED");
  for (const auto& s : all)
    printf("%-24s %-8d %-8s %-40s %s\n", s.record.id.c_str(), s.status == "stopped" ? 0 : s.record.pid, s.status.c_str(),
           s.record.bundle.c_str(), s.record.created.c_str());
  return kCliExitOk;
}

int cmd_events(CliContext& c) {
  const auto f = parse_flags(c.args, c.next, {{{"stats"}, false}, {{"interval"}, true}}, false, "events");
  if (!f.flag("stats")) throw_bad_input("events: only --stats is supported");
  const std::string id = single_id(f, "events");
  const CgroupStats s = c.runtime.stats(id);
  const nlohmann::json out = {
      {"type", "stats"},
      {"id", id},
      {"data",
       {{"cpu", {{"usage", {{"total", s.cpu_usage_ns}}}}},
        {"memory",
         {{"usage", {{"usage", s.memory_usage}, {"max", s.memory_max_usage}, {"limit", s.memory_limit}, {"failcnt", s.memory_failcnt}}},
          {"oom_kill", s.oom_kills}}},
        {"pids", {{"current", s.pids_current}, {"limit", s.pids_limit}}}}},
  };
  std::cout << out.dump() << std::endl;
  return kCliExitOk;
}

int cmd_pause_resume(CliContext& c) {
  const auto f = parse_flags(c.args, c.next, {}, false, c.command);
  c.runtime.set_paused(single_id(f, c.command), c.command == "pause");
  return kCliExitOk;
}

int64_t parse_limit(const std::string& text, const char* what) {
  char* end = nullptr;
  const long long n = std::strtoll(text.c_str(), &end, 10);
  if (end == text.c_str() || *end) throw_bad_input(std::string("update: invalid ") + what + " '" + text + "'");
  return n;
}

// runc's flags, or a linux.resources JSON document (--resources FILE, "-" for stdin).
int cmd_update(CliContext& c) {
  const auto f = parse_flags(c.args, c.next,
                             {{{"resources", "r"}, true}, {{"memory"}, true}, {{"memory-reservation"}, true},
                              {{"memory-swap"}, true}, {{"cpu-quota"}, true}, {{"cpu-period"}, true},
                              {{"cpu-share"}, true}, {{"cpuset-cpus"}, true}, {{"cpuset-mems"}, true},
                              {{"pids-limit"}, true}, {{"kernel-memory"}, true}, {{"blkio-weight"}, true}},
                             false, "update");
  const std::string id = single_id(f, "update");
  ResourcesSpec r;
  if (f.has("resources")) {
    const std::string file = f.value("resources");
    nlohmann::json doc;
    if (file == "-") {
      doc = nlohmann::json::parse(std::cin, nullptr, false);
    } else {
      std::ifstream in(file);
      if (!in) throw_bad_input("update: cannot read " + file);
      doc = nlohmann::json::parse(in, nullptr, false);
    }
    if (doc.is_discarded()) throw_bad_input("update: " + file + " is not valid JSON");
    r = parse_resources_object(doc);
  }
  if (f.has("memory")) r.memory_limit = parse_limit(f.value("memory"), "--memory");
  if (f.has("memory-reservation")) r.memory_reservation = parse_limit(f.value("memory-reservation"), "--memory-reservation");
  if (f.has("memory-swap")) r.memory_swap = parse_limit(f.value("memory-swap"), "--memory-swap");
  if (f.has("kernel-memory")) r.memory_kernel = parse_limit(f.value("kernel-memory"), "--kernel-memory");
  if (f.has("cpu-quota")) r.cpu_quota = parse_limit(f.value("cpu-quota"), "--cpu-quota");
  if (f.has("cpu-period")) r.cpu_period = static_cast<uint64_t>(parse_limit(f.value("cpu-period"), "--cpu-period"));
  if (f.has("cpu-share")) r.cpu_shares = static_cast<uint64_t>(parse_limit(f.value("cpu-share"), "--cpu-share"));
  if (f.has("blkio-weight")) r.blkio_weight = static_cast<uint64_t>(parse_limit(f.value("blkio-weight"), "--blkio-weight"));
  if (f.has("pids-limit")) r.pids_limit = parse_limit(f.value("pids-limit"), "--pids-limit");
  if (f.has("cpuset-cpus")) r.cpuset_cpus = f.value("cpuset-cpus");
  if (f.has("cpuset-mems")) r.cpuset_mems = f.value("cpuset-mems");
  c.runtime.update(id, r);
  return kCliExitOk;
}

int cmd_spec(CliContext& c) {
  const auto f = parse_flags(c.args, c.next, {{{"bundle", "b"}, true}, {{"rootless"}, false}}, false, "spec");
  const std::string path = f.value("bundle", ".") + "/config.json";
  if (access(path.c_str(), F_OK) == 0) throw Error(ErrorKind::Conflict, "File " + path + " exists. Remove it first");
  std::ofstream out(path);
  out << default_spec({"sh"}).dump(2) << "\n";
  if (!out) throw_errno("write " + path);
  return kCliExitOk;
}

int cmd_features(CliContext&) {
  const nlohmann::json out = {
      {"ociVersionMin", "1.0.0"},
      {"ociVersionMax", "1.0.2"},
      {"hooks", {"prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"}},
      {"mountOptions", {"ro", "rw", "nosuid", "nodev", "noexec", "bind", "rbind", "private", "rprivate", "shared",
                        "rshared", "slave", "rslave", "relatime", "noatime", "strictatime"}},
      {"linux",
       {{"namespaces", {"pid", "network", "mount", "ipc", "uts", "user", "cgroup", "time"}},
        {"cgroup", {{"v1", true}, {"v2", true}, {"systemd", false}}},
        {"seccomp", {{"enabled", true}}}}},
  };
  std::cout << out.dump(2) << std::endl;
  return kCliExitOk;
}

const std::vector<FlagSpec> kExecFlags = {
    {{"process", "p"}, true}, {{"tty", "t"}, false},      {{"console-socket"}, true}, {{"pid-file"}, true},
    {{"detach", "d"}, false}, {{"cwd"}, true},            {{"env", "e"}, true},       {{"user", "u"}, true},
    {{"additional-gids", "g"}, true}, {{"cap", "c"}, true}, {{"no-new-privs"}, false}, {{"preserve-fds"}, true},
    {{"process-label"}, true}, {{"apparmor"}, true},      {{"ignore-paused"}, false}, {{"cgroup"}, true},
};

ProcessSpec exec_process_from_flags(const ParsedFlags& f, Runtime& runtime, const std::string& id,
                                    const std::vector<std::string>& command) {
  if (f.has("process")) {
    std::ifstream in(f.value("process"));
    if (!in) throw_bad_input("exec: cannot read " + f.value("process"));
    auto doc = nlohmann::json::parse(in, nullptr, false);
    if (doc.is_discarded()) throw_bad_input("exec: " + f.value("process") + " is not valid JSON");
    return parse_process(doc);
  }
  if (command.empty()) throw_bad_input("exec requires a command (or --process)");
  const Spec spec = runtime.saved_spec(id);
  ProcessSpec p = spec.process.value_or(ProcessSpec{});
  p.args = command;
  p.terminal = f.flag("tty");
  p.console_size.reset();
  for (const auto& e : f.values("env")) p.env.push_back(e);
  if (f.has("cwd")) p.cwd = f.value("cwd");
  if (f.has("user")) {
    const std::string u = f.value("user");
    char* end = nullptr;
    p.user.uid = static_cast<uint32_t>(std::strtoul(u.c_str(), &end, 10));
    if (end == u.c_str() || (*end && *end != ':')) throw_bad_input("exec: --user takes UID[:GID]");
    p.user.gid = *end == ':' ? static_cast<uint32_t>(std::strtoul(end + 1, nullptr, 10)) : p.user.gid;
  }
  for (const auto& g : f.values("additional-gids")) p.user.additional_gids.push_back(static_cast<uint32_t>(parse_count(g, "gid")));
  if (f.flag("no-new-privs")) p.no_new_privileges = true;
  for (const auto& cap : f.values("cap")) {
    const nlohmann::json one = {{"args", {"x"}}, {"capabilities", {{"bounding", {cap}}}}};
    const int value = parse_process(one).capabilities->bounding.at(0);
    if (!p.capabilities) p.capabilities = CapabilitySets{};
    for (auto* set : {&p.capabilities->bounding, &p.capabilities->effective, &p.capabilities->permitted})
      set->push_back(value);
  }
  return p;
}

int cmd_exec(CliContext& c) {
  const auto f = parse_flags(c.args, c.next, kExecFlags, true, "exec");
  if (f.positionals().empty()) throw_bad_input("exec requires a container id");
  ExecOptions o;
  o.id = f.positionals()[0];
  const std::vector<std::string> command(f.positionals().begin() + 1, f.positionals().end());
  o.process = exec_process_from_flags(f, c.runtime, o.id, command);
  if (f.flag("tty")) o.process.terminal = true;
  o.pid_file = f.value("pid-file");
  o.console_socket = f.value("console-socket");
  o.detach = f.flag("detach");
  if (f.has("preserve-fds")) o.preserve_fds = parse_count(f.value("preserve-fds"), "--preserve-fds");
  return c.runtime.exec(o);
}

struct Command {
  const char* name;
  int (*run)(CliContext&);
};

constexpr Command kCommands[] = {
    {"create", cmd_create}, {"start", cmd_start},   {"run", cmd_run},       {"state", cmd_state},
    {"kill", cmd_kill},     {"delete", cmd_delete}, {"exec", cmd_exec},     {"ps", cmd_ps},
    {"list", cmd_list},     {"events", cmd_events}, {"pause", cmd_pause_resume}, {"resume", cmd_pause_resume},
    {"spec", cmd_spec},     {"features", cmd_features}, {"update", cmd_update},
};

const std::vector<FlagSpec> kGlobalFlags = {
    {{"root"}, true},   {{"log"}, true},     {{"log-format"}, true}, {{"systemd-cgroup"}, false},
    {{"debug"}, false}, {{"rootless"}, true}, {{"criu"}, true},      {{"version", "v"}, false},
    {{"help", "h"}, false},
};

}  // namespace

int run_runtime_cli(const std::vector<std::string>& args, const std::string& program) {
  std::string log_path, log_format = "text";
  try {
    const ParsedFlags global = parse_flags(args, 0, kGlobalFlags, true, program);
    log_path = global.value("log");
    log_format = global.value("log-format", "text");
    if (log_format != "text" && log_format != "json") throw_bad_input("--log-format must be text or json");
    if (global.flag("version")) {
      printf("%s version %s\nspec: 1.0.2\ncgroups: %s\n", program.c_str(), kVersion,
             cgroup_mode_name(discover_cgroup_layout().mode));
      return kCliExitOk;
    }
    const auto& rest = global.positionals();
    if (global.flag("help") || rest.empty() || rest[0] == "help") {
      fprintf(rest.empty() && !global.flag("help") ? stderr : stdout, kUsage, program.c_str());
      return rest.empty() && !global.flag("help") ? kCliExitUsage : kCliExitOk;
    }
    RuntimeOptions options;
    options.root = global.value("root", options.root);
    options.systemd_cgroup = global.flag("systemd-cgroup");
    Runtime runtime(options);
    const std::string& command = rest[0];
    const size_t next = args.size() - rest.size() + 1;
    for (const auto& c : kCommands) {
      if (command != c.name) continue;
      CliContext context{runtime, command, args, next};
      return c.run(context);
    }
    throw_bad_input("unknown command '" + command + "' (see " + program + " --help)");
  } catch (const Error& e) {
    RuntimeLog(program, log_path, log_format == "json").error(e.what());
    return e.kind() == ErrorKind::BadInput ? kCliExitUsage : kCliExitFailure;
  } catch (const std::exception& e) {
    RuntimeLog(program, log_path, log_format == "json").error(e.what());
    return kCliExitFailure;
  }
}

}  // namespace vessel::container
