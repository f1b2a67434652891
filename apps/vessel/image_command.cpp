// `vessel image import|ls|show|rm`: container images kept by vesseld.
#include <CLI/CLI.hpp>
#include <cstdio>

#include "api_call.h"
#include "commands.h"

namespace vessel::cli {

int image_command(int argc, char** argv) {
  CLI::App app{"Container images for vesseld", "vessel image"};
  Common c;
  c.program = "vessel image";
  add_connection_options(app, c);
  app.add_flag("--json", c.json_output, "print the daemon's JSON");
  app.require_subcommand(1);
  std::string file, name;
  auto* import = app.add_subcommand("import", "import an OCI image layout (directory or tar) or a docker/podman save archive");
  import->add_option("file", file, "archive or layout directory")->required();
  import->add_option("--name", name, "image name (default: the archive's own tag)");
  auto* ls = app.add_subcommand("ls", "list images");
  auto* show = app.add_subcommand("show", "one image's run configuration");
  show->add_option("name", name, "image name")->required();
  auto* rm = app.add_subcommand("rm", "delete an image no container uses");
  rm->add_option("name", name, "image name")->required();
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e) == 0 ? kExitOk : kExitUsage;
  } catch (const CLI::ParseError& e) {
    fprintf(stderr, "vessel image: %s\n", e.what());
    return kExitUsage;
  }
  std::optional<json> r;
  if (*import) {
    json body{{"path", absolute_path(file)}};
    if (!name.empty()) body["name"] = name;
    r = call(c, "POST", "/v1/images", body, "importing");
    if (r && !c.json_output) {
      printf("%s\n", r->value("name", "").c_str());
      return kExitOk;
    }
  } else if (*ls) {
    r = call(c, "GET", "/v1/images");
    if (r && !c.json_output) {
      printf("%-40s %s\n", "NAME", "COMMAND");
      for (const auto& i : *r) {
        std::string cmd;
        const json& cfg = i.value("config", json::object());
        for (const char* k : {"entrypoint", "cmd"})
          for (const auto& a : cfg.value(k, json::array())) cmd += (cmd.empty() ? "" : " ") + a.get<std::string>();
        printf("%-40s %s\n", i.value("name", "").c_str(), cmd.c_str());
      }
      return kExitOk;
    }
  } else if (*show) {
    r = call(c, "GET", "/v1/images/" + name);
  } else if (*rm) {
    r = call(c, "DELETE", "/v1/images/" + name);
  }
  if (!r) return kExitFailure;
  printf("%s\n", r->dump(2).c_str());
  return kExitOk;
}

}  // namespace vessel::cli
