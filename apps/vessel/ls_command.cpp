// `vessel ls`: the VMs and the containers of one vesseld in one table.
#include <CLI/CLI.hpp>
#include <cstdio>

#include "api_call.h"
#include "commands.h"

namespace vessel::cli {

int ls_command(int argc, char** argv) {
  CLI::App app{"List every VM and container vesseld manages", "vessel ls"};
  Common c;
  c.program = "vessel ls";
  add_connection_options(app, c);
  app.add_flag("--json", c.json_output, "print one JSON array");
  bool quiet = false;
  app.add_flag("--quiet,-q", quiet, "one line per server: KIND NAME STATE (KIND: vm or ct, as the commands)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e) == 0 ? kExitOk : kExitUsage;
  } catch (const CLI::ParseError& e) {
    fprintf(stderr, "vessel ls: %s\n", e.what());
    return kExitUsage;
  }
  auto vms = call(c, "GET", "/v1/vms");
  auto cts = call(c, "GET", "/v1/containers");
  if (!vms || !cts) return kExitFailure;
  json all = json::array();
  for (auto vm : vms->value("vms", json::array())) {
    vm["kind"] = "vm";
    all.push_back(vm);
  }
  for (const auto& ct : *cts) all.push_back(ct);
  if (c.json_output) {
    printf("%s\n", all.dump(2).c_str());
    return kExitOk;
  }
  if (quiet) {
    for (const auto& x : all)
      printf("%s %s %s\n", x.value("kind", "") == "vm" ? "vm" : "ct", x.value("name", "").c_str(), x.value("state", "").c_str());
    return kExitOk;
  }
  printf("%-20s %-10s %-10s %-8s %s\n", "NAME", "KIND", "STATE", "PID", "UPTIME");
  for (const auto& x : all)
    printf("%-20s %-10s %-10s %-8s %s\n", x.value("name", "").c_str(), x.value("kind", "").c_str(),
           x.value("state", "").c_str(), x.contains("pid") ? std::to_string(x["pid"].get<long>()).c_str() : "-",
           x.contains("uptime_seconds") ? human_duration(x["uptime_seconds"].get<double>()).c_str() : "-");
  return kExitOk;
}

}  // namespace vessel::cli
