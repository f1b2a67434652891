// `vessel net create|ls|show|rm`: named networks kept by vesseld (a VDE switch each, with an
// optional NAT uplink); VMs join one with `vessel vm create --net network=NAME`.
#include <CLI/CLI.hpp>
#include <cstdio>

#include "api_call.h"
#include "commands.h"

namespace vessel::cli {

int net_command(int argc, char** argv) {
  CLI::App app{"Named networks for vesseld: VMs on one network share an L2 segment (a VDE switch)", "vessel net"};
  Common c;
  c.socket = default_socket();
  c.program = "vessel net";
  app.add_option("--socket", c.socket, "vesseld API socket (env VESSEL_SOCKET)")->capture_default_str();
  app.add_flag("--json", c.json_output, "print the daemon's JSON");
  app.require_subcommand(1);
  std::string name, subnet;
  bool nat = false;
  auto* create = app.add_subcommand("create", "create a network and start its switch");
  create->add_option("name", name, "network name")->required();
  create->add_option("--subnet", subnet, "IPv4 network, e.g. 10.10.0.0/24 (default 10.0.2.0/24)");
  create->add_flag("--nat", nat,
                   "a NAT uplink on the segment (slirpvde): gateway at .2 (it reaches the host's loopback), DNS at .3, "
                   "DHCP for the VMs");
  auto* ls = app.add_subcommand("ls", "list networks");
  auto* show = app.add_subcommand("show", "one network");
  show->add_option("name", name, "network name")->required();
  auto* rm = app.add_subcommand("rm", "delete a network no VM is defined on");
  rm->add_option("name", name, "network name")->required();
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e) == 0 ? kExitOk : kExitUsage;
  } catch (const CLI::ParseError& e) {
    fprintf(stderr, "vessel net: %s\n", e.what());
    return kExitUsage;
  }
  std::optional<json> r;
  if (*create) {
    json body{{"name", name}, {"nat", nat}};
    if (!subnet.empty()) body["subnet"] = subnet;
    r = call(c, "POST", "/v1/networks", body, "creating");
  } else if (*ls) {
    r = call(c, "GET", "/v1/networks");
    if (r && !c.json_output) {
      printf("%-20s %-6s %-18s %s\n", "NAME", "STATE", "SUBNET", "NAT");
      for (const auto& n : *r)
        printf("%-20s %-6s %-18s %s\n", n.value("name", "").c_str(), n.value("state", "").c_str(),
               n.value("subnet", "").c_str(), n.value("nat", false) ? "yes" : "no");
      return kExitOk;
    }
  } else if (*show) {
    r = call(c, "GET", "/v1/networks/" + name);
  } else if (*rm) {
    r = call(c, "DELETE", "/v1/networks/" + name);
  }
  if (!r) return kExitFailure;
  printf("%s\n", r->dump(2).c_str());
  return kExitOk;
}

}  // namespace vessel::cli
