// Times OCI runtimes on the same bundle: N sequential `run` of /bin/true (create, start, wait,
// delete each), then the create and start steps alone. Prints each runtime's figures and the
// ratio to runc. The root filesystem is the Debian busybox-static binary.
#include <fcntl.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "container/default_spec.h"
#include "container/state_store.h"

extern char** environ;

namespace {

using Clock = std::chrono::steady_clock;
namespace vc = vessel::container;

struct Runtime {
  std::string name;
  std::string binary;
  std::string root;  // --root state directory
};

struct Figures {
  double run_total_s = 0;
  std::vector<double> run_ms, create_ms, start_ms;
};

int run_quiet(const std::vector<std::string>& argv, std::string* err = nullptr) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  const std::string err_path = "/tmp/vessel-bench-stderr";
  posix_spawn_file_actions_addopen(&actions, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  int status = -1;
  if (posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ) == 0) waitpid(pid, &status, 0);
  posix_spawn_file_actions_destroy(&actions);
  if (err) *err = vc::read_whole_file(err_path).value_or("");
  unlink(err_path.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::vector<std::string> with_root(const Runtime& r, std::vector<std::string> args) {
  args.insert(args.begin(), {r.binary, "--root", r.root});
  return args;
}

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

double mean(const std::vector<double>& v) {
  double sum = 0;
  for (double x : v) sum += x;
  return v.empty() ? 0 : sum / static_cast<double>(v.size());
}

// One trial container; a runtime that cannot run here (crun on hybrid cgroups) is reported.
std::optional<std::string> probe(const Runtime& r, const std::string& bundle) {
  std::string err;
  if (run_quiet(with_root(r, {"run", "--bundle", bundle, "probe"}), &err) == 0) return std::nullopt;
  run_quiet(with_root(r, {"delete", "--force", "probe"}));
  while (!err.empty() && err.back() == '\n') err.pop_back();
  return err.empty() ? "failed" : err;
}

// The runtimes take turns container by container, so a busy machine slows them alike.
std::vector<Figures> measure(const std::vector<Runtime>& runtimes, const std::string& bundle, int count) {
  std::vector<Figures> figures(runtimes.size());
  for (int i = 0; i < count; ++i) {
    for (size_t k = 0; k < runtimes.size(); ++k) {
      const size_t r = (k + static_cast<size_t>(i)) % runtimes.size();  // alternate who goes first
      const auto t = Clock::now();
      if (run_quiet(with_root(runtimes[r], {"run", "--bundle", bundle, "bench" + std::to_string(i)})) != 0)
        fprintf(stderr, "%s: run %d failed\n", runtimes[r].name.c_str(), i);
      figures[r].run_ms.push_back(ms_since(t));
    }
  }
  for (auto& f : figures)
    for (double ms : f.run_ms) f.run_total_s += ms / 1000.0;
  // create and start on their own: start latency is what a user waits for once created.
  for (int i = 0; i < std::max(1, count / 5); ++i) {
    for (size_t r = 0; r < runtimes.size(); ++r) {
      const std::string id = "lat" + std::to_string(i);
      auto t = Clock::now();
      run_quiet(with_root(runtimes[r], {"create", "--bundle", bundle, id}));
      figures[r].create_ms.push_back(ms_since(t));
      t = Clock::now();
      run_quiet(with_root(runtimes[r], {"start", id}));
      figures[r].start_ms.push_back(ms_since(t));
      run_quiet(with_root(runtimes[r], {"delete", "--force", id}));
    }
  }
  return figures;
}

// The config is what `runc spec` writes (ambient capabilities without an inheritable set
// included), with /bin/true and no terminal; Vessel's own default where runc is missing.
std::string make_bundle(const std::string& dir, std::string& config_source) {
  const std::string rootfs = dir + "/rootfs";
  for (const char* d : {"", "/bin", "/proc", "/sys", "/dev", "/tmp"}) mkdir((rootfs + d).c_str(), 0755);
  if (run_quiet({"/bin/cp", "/bin/busybox", rootfs + "/bin/busybox"}) != 0) return "";
  symlink("busybox", (rootfs + "/bin/true").c_str());
  symlink("busybox", (rootfs + "/bin/sh").c_str());
  nlohmann::json config;
  if (run_quiet({"/usr/sbin/runc", "spec", "--bundle", dir}) == 0) {
    config = nlohmann::json::parse(vc::read_whole_file(dir + "/config.json").value_or(""), nullptr, false);
    config_source = "`runc spec`";
  }
  if (config.is_discarded() || config.is_null()) {
    config = vc::default_spec({"/bin/true"}, "rootfs");
    config_source = "vessel-runc's default spec (runc is not installed)";
  }
  config["process"]["args"] = {"/bin/true"};
  config["process"]["terminal"] = false;
  std::ofstream(dir + "/config.json") << config.dump(2);
  return dir;
}

}  // namespace

int main(int argc, char** argv) {
  std::string vessel_binary;
  int count = 100;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--vessel") vessel_binary = argv[i + 1];
    else if (flag == "--count") count = std::max(1, atoi(argv[i + 1]));
  }
  if (vessel_binary.empty()) {
    fprintf(stderr, "usage: container_bench --vessel PATH/vessel-runc [--count N]\n");
    return 2;
  }
  if (geteuid() != 0) {
    printf("container_bench: SKIPPED (needs root for namespaces and cgroups)\n");
    return 0;
  }
  if (access("/bin/busybox", X_OK) != 0) {
    printf("container_bench: SKIPPED (needs /bin/busybox from busybox-static)\n");
    return 0;
  }
  char tmpl[] = "/tmp/vessel-bench-XXXXXX";
  if (!mkdtemp(tmpl)) return 1;
  const std::string work = tmpl;
  std::string config_source;
  const std::string bundle = make_bundle(work, config_source);
  if (bundle.empty()) return 1;

  // State on tmpfs, as both runtimes have by default (/run/vessel, /run/runc).
  char state_tmpl[] = "/run/vessel-bench-XXXXXX";
  const std::string state = mkdtemp(state_tmpl) ? state_tmpl : work;
  std::vector<Runtime> candidates = {{"vessel", vessel_binary, state + "/vessel"}};
  for (const auto& [name, path] : {std::pair{"runc", "/usr/sbin/runc"}, std::pair{"crun", "/usr/bin/crun"}})
    if (access(path, X_OK) == 0) candidates.push_back({name, path, state + "/" + name});

  printf("container runtimes: %d sequential `run` of /bin/true each, runtimes taking turns (busybox-static rootfs,\n"
         "  config from %s)\n", count, config_source.c_str());
  std::vector<Runtime> runtimes;
  for (const auto& r : candidates) {
    if (auto why = probe(r, bundle)) printf("  %-7s not usable on this host: %s\n", r.name.c_str(), why->c_str());
    else runtimes.push_back(r);
  }
  const std::vector<Figures> figures = measure(runtimes, bundle, count);
  printf("  %-7s %10s %10s %10s %10s %12s %12s\n", "runtime", "total s", "per run", "p50 ms", "p95 ms", "create ms", "start ms");
  const Figures* runc = nullptr;
  for (size_t r = 0; r < runtimes.size(); ++r) {
    const Figures& f = figures[r];
    if (runtimes[r].name == "runc") runc = &f;
    printf("  %-7s %10.2f %10.1f %10.1f %10.1f %12.1f %12.1f\n", runtimes[r].name.c_str(), f.run_total_s, mean(f.run_ms),
           percentile(f.run_ms, 0.5), percentile(f.run_ms, 0.95), mean(f.create_ms), mean(f.start_ms));
  }
  if (runc) {
    for (size_t r = 0; r < runtimes.size(); ++r)
      if (runtimes[r].name != "runc")
        printf("  ratio %s/runc: %.3fx total time (target <= 0.3x), start latency %.3fx\n", runtimes[r].name.c_str(),
               figures[r].run_total_s / runc->run_total_s, mean(figures[r].start_ms) / std::max(1e-9, mean(runc->start_ms)));
  } else {
    printf("  runc not available: no ratio\n");
  }
  if (state != work) vc::remove_tree(state);
  vc::remove_tree(work);
  return 0;
}
