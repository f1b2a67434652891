// `vessel ct create|start|stop|kill|pause|resume|rm|ls|show|exec|logs|console|limits`: containers
// managed by vesseld, as `vessel vm` manages VMs.
#include <CLI/CLI.hpp>
#include <cmath>
#include <cstdio>
#include <map>

#include "api_call.h"
#include "commands.h"
#include "vm_command.h"

namespace vessel::cli {
namespace {

void print_container(const json& ct) {
  auto field = [&](const char* label, const std::string& value) { printf("%-12s %s\n", label, value.c_str()); };
  const json& cfg = ct.value("config", json::object());
  field("name:", ct.value("name", ""));
  field("state:", ct.value("state", ""));
  if (ct.contains("pid")) field("pid:", std::to_string(ct["pid"].get<long>()));
  if (ct.contains("uptime_seconds")) field("uptime:", human_duration(ct["uptime_seconds"].get<double>()));
  if (ct.contains("last_exit")) field("last exit:", ct["last_exit"].get<std::string>());
  field(cfg.contains("image") ? "image:" : "rootfs:", cfg.value(cfg.contains("image") ? "image" : "rootfs", ""));
  if (cfg.contains("command") && !cfg["command"].empty()) {
    std::string cmd;
    for (const auto& a : cfg["command"]) cmd += (cmd.empty() ? "" : " ") + a.get<std::string>();
    field("command:", cmd);
  }
  const json& l = cfg.value("limits", json::object());
  field("memory:", l.value("memory", "0") == "0" ? "no limit" : l.value("memory", ""));
  field("cpus:", l.value("cpus", 0.0) > 0 ? std::to_string(l.value("cpus", 0.0)).substr(0, 4) : "no limit");
  field("pids:", l.value("pids", 0) > 0 ? std::to_string(l.value("pids", 0)) : "no limit");
}

int output(const Common& c, const std::optional<json>& r) {
  if (!r) return kExitFailure;
  if (c.json_output || !r->is_object() || !r->contains("state")) {
    if (r->is_string()) fputs(r->get<std::string>().c_str(), stdout);
    else printf("%s\n", r->dump(2).c_str());
    return kExitOk;
  }
  print_container(*r);
  return kExitOk;
}

}  // namespace

int ct_command(int argc, char** argv) {
  CLI::App app{"Manage containers through vesseld", "vessel ct"};
  Common c;
  c.program = "vessel ct";
  add_connection_options(app, c);
  app.add_flag("--json", c.json_output, "print the daemon's JSON");
  app.require_subcommand(1);
  app.fallthrough();

  std::string name, image, rootfs, workdir, user, hostname, network, memory;
  std::vector<std::string> command, env;
  double cpus = -1, timeout = 10;
  long pids = -1;
  int signal = 9;
  bool start = false, autostart = false, read_only = false;

  auto* create = app.add_subcommand("create", "define a container from an image or a root directory");
  create->add_option("name", name, "container name")->required();
  create->add_option("command", command, "what to run (default: the image's entrypoint and cmd)");
  create->add_option("--image", image, "an imported image (vessel image import)");
  create->add_option("--rootfs", rootfs, "a root directory, used read-only under the container's own layer");
  create->add_option("--env,-e", env, "NAME=VALUE (repeatable)");
  create->add_option("--workdir,-w", workdir, "working directory");
  create->add_option("--user,-u", user, "UID[:GID] or a name from the image's /etc/passwd");
  create->add_option("--hostname", hostname, "hostname (default: the container's name)");
  create->add_option("--network", network, "none (own namespace, loopback only; default) or host")
      ->check(CLI::IsMember({"none", "host"}));
  create->add_option("--memory,-m", memory, "memory limit (e.g. 64M)");
  create->add_option("--cpus", cpus, "CPU limit in host cores (e.g. 0.5)");
  create->add_option("--pids-limit", pids, "process limit");
  create->add_flag("--read-only", read_only, "read-only root filesystem");
  create->add_flag("--autostart", autostart, "start when vesseld starts");
  create->add_flag("--start", start, "start it right away");

  std::map<std::string, CLI::App*> simple;
  for (const auto& [s, what] : {std::pair{"start", "start a stopped container"},
                                {"pause", "freeze every process of the container"},
                                {"resume", "thaw a paused container"},
                                {"rm", "delete a stopped container"},
                                {"show", "state and settings of one container"},
                                {"logs", "what the container wrote to stdout and stderr"},
                                {"console", "attach to its stdin and output (Ctrl-] detaches)"}}) {
    simple[s] = app.add_subcommand(s, what);
    simple[s]->add_option("name", name, "container name")->required();
  }
  auto* stop = app.add_subcommand("stop", "SIGTERM, then SIGKILL after --timeout seconds");
  stop->add_option("name", name, "container name")->required();
  stop->add_option("--timeout,-t", timeout, "seconds to wait before SIGKILL")->capture_default_str();
  auto* kill = app.add_subcommand("kill", "send a signal to every process of the container");
  kill->add_option("name", name, "container name")->required();
  kill->add_option("--signal,-s", signal, "signal number")->capture_default_str();
  auto* exec = app.add_subcommand("exec", "run a command in a running container; prints its output, exits with its status");
  exec->add_option("name", name, "container name")->required();
  exec->add_option("command", command, "the command")->required();
  exec->add_option("--env,-e", env, "NAME=VALUE (repeatable)");
  exec->add_option("--workdir,-w", workdir, "working directory");
  exec->add_option("--user,-u", user, "UID[:GID]");
  exec->add_option("--timeout", timeout, "seconds before the command is killed");
  auto* ls = app.add_subcommand("ls", "list containers");
  auto* limits = app.add_subcommand("limits", "change limits (also while running)");
  limits->add_option("name", name, "container name")->required();
  limits->add_option("--memory,-m", memory, "memory limit (0 = none)");
  limits->add_option("--cpus", cpus, "CPU limit in host cores (0 = none)");
  limits->add_option("--pids-limit", pids, "process limit (0 = none)");
  exec->prefix_command();  // everything after the name is the command, dashes included

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e) == 0 ? kExitOk : kExitUsage;
  } catch (const CLI::ParseError& e) {
    fprintf(stderr, "vessel ct: %s\n", e.what());
    return kExitUsage;
  }
  const std::string ct = "/v1/containers/" + name;
  auto limits_body = [&] {
    json l = json::object();
    if (!memory.empty()) l["memory"] = memory;
    if (cpus >= 0) l["cpus"] = cpus;
    if (pids >= 0) l["pids"] = pids;
    return l;
  };
  if (*create) {
    json body{{"name", name}, {"autostart", autostart}, {"read_only", read_only}};
    if (!image.empty()) body["image"] = image;
    if (!rootfs.empty()) body["rootfs"] = absolute_path(rootfs);
    if (!command.empty()) body["command"] = command;
    if (!env.empty()) body["env"] = env;
    if (!workdir.empty()) body["workdir"] = workdir;
    if (!user.empty()) body["user"] = user;
    if (!hostname.empty()) body["hostname"] = hostname;
    if (!network.empty()) body["network"] = network;
    if (const json l = limits_body(); !l.empty()) body["limits"] = l;
    if (start) body["start"] = true;
    return output(c, call(c, "POST", "/v1/containers", body));
  }
  if (*ls) {
    auto r = call(c, "GET", "/v1/containers");
    if (!r) return kExitFailure;
    if (c.json_output) return output(c, r);
    printf("%-20s %-10s %-8s %-24s %s\n", "NAME", "STATE", "PID", "IMAGE/ROOTFS", "LAST EXIT");
    for (const auto& x : *r) {
      const json& cfg = x.value("config", json::object());
      printf("%-20s %-10s %-8s %-24s %s\n", x.value("name", "").c_str(), x.value("state", "").c_str(),
             x.contains("pid") ? std::to_string(x["pid"].get<long>()).c_str() : "-",
             cfg.value("image", cfg.value("rootfs", "")).c_str(), x.value("last_exit", "").c_str());
    }
    return kExitOk;
  }
  if (*simple["show"]) return output(c, call(c, "GET", ct));
  if (*simple["rm"]) return output(c, call(c, "DELETE", ct));
  if (*simple["logs"]) return output(c, call(c, "GET", ct + "/logs"));
  if (*simple["console"]) return attach_console(c, ct + "/console", "vessel ct");
  for (const char* s : {"start", "pause", "resume"})
    if (*simple[s]) return output(c, call(c, "POST", ct + "/" + s, json::object()));
  if (*stop) return output(c, call(c, "POST", ct + "/stop", {{"timeout_seconds", timeout}}));
  if (*kill) return output(c, call(c, "POST", ct + "/kill", {{"signal", signal}}));
  if (*limits) return output(c, call(c, "PATCH", ct + "/limits", limits_body()));
  if (*exec) {
    json body{{"command", command}, {"timeout_seconds", timeout > 0 ? timeout : 60}};
    if (!env.empty()) body["env"] = env;
    if (!workdir.empty()) body["workdir"] = workdir;
    if (!user.empty()) body["user"] = user;
    auto r = call(c, "POST", ct + "/exec", body);
    if (!r) return kExitFailure;
    if (c.json_output) return output(c, r);
    fputs(r->value("stdout", "").c_str(), stdout);
    fputs(r->value("stderr", "").c_str(), stderr);
    return r->value("exit_code", 1);
  }
  return kExitUsage;
}

}  // namespace vessel::cli
