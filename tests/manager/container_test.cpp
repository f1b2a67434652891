// Containers under vesseld (issue 13, part 3): the same API, CLI, state directory and crash
// guarantees as VMs. Every response is checked against docs/api/openapi.yaml. Needs root and
// Debian's busybox-static (the root filesystem of the test containers).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "http/http_client.h"
#include "manager/daemon_fixture.h"
#include "manager/process_info.h"

namespace vessel::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace std::chrono_literals;

bool static_busybox() {
  if (access("/bin/busybox", X_OK) != 0) return false;
  FILE* p = popen("LC_ALL=C readelf -l /bin/busybox 2>/dev/null | grep -c 'program interpreter'", "r");
  int n = -1;
  if (p && fscanf(p, "%d", &n) != 1) n = -1;
  if (p) pclose(p);
  return n == 0;
}

// A busybox root filesystem in `dir` (the applets as symlinks), with an /etc/passwd.
void make_busybox_root(const std::string& dir) {
  for (const char* d : {"bin", "etc", "proc", "sys", "dev", "tmp", "data"}) fs::create_directories(dir + "/" + d);
  fs::copy_file("/bin/busybox", dir + "/bin/busybox", fs::copy_options::overwrite_existing);
  FILE* p = popen("/bin/busybox --list", "r");
  char applet[128];
  while (p && fscanf(p, "%127s", applet) == 1)
    if (std::string(applet) != "busybox") fs::create_symlink("busybox", dir + "/bin/" + applet);
  if (p) pclose(p);
  std::ofstream(dir + "/etc/passwd") << "root:x:0:0:root:/:/bin/sh\nweb:x:1234:4321:web:/:/bin/sh\n";
  std::ofstream(dir + "/etc/group") << "root:x:0:\nweb:x:4321:\n";
}

class ManagerContainers : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "containers need root";
    if (!static_busybox()) GTEST_SKIP() << "needs the statically linked /bin/busybox (package busybox-static)";
    d_.start();
    rootfs_ = d_.dir() + "/rootfs";
    make_busybox_root(rootfs_);
  }
  json create(const json& body) {
    auto r = d_.api("POST", "/v1/containers", body);
    EXPECT_EQ(r.status, 201) << r.body;
    return r.json;
  }
  json exec(const std::string& name, const json& command) {
    auto r = d_.api("POST", "/v1/containers/" + name + "/exec", json{{"command", command}});
    EXPECT_EQ(r.status, 200) << r.body;
    return r.json;
  }
  Daemon d_;
  std::string rootfs_;
};

TEST_F(ManagerContainers, LifecycleExecLogsLimitsPauseStopDelete) {
  auto c = create({{"name", "web"},
                   {"rootfs", rootfs_},
                   {"command", {"sh", "-c", "echo started-$((6*7)); trap '' TERM; while :; do sleep 1; done"}},
                   {"env", {"GREETING=hello"}},
                   {"user", "web"},
                   {"limits", {{"memory", "64M"}, {"pids", 40}}},
                   {"start", true}});
  ASSERT_EQ(c.value("state", ""), "running") << c.dump();
  EXPECT_EQ(c.value("kind", ""), "container");
  const pid_t pid = c.value("pid", 0);
  ASSERT_GT(pid, 0);

  // Invalid in this state.
  EXPECT_EQ(d_.api("POST", "/v1/containers/web/start", std::string()).status, 409);
  EXPECT_EQ(d_.api("DELETE", "/v1/containers/web").status, 409);
  EXPECT_EQ(d_.api("POST", "/v1/containers/web/resume", std::string()).status, 409);

  auto e = exec("web", {"sh", "-c", "echo $GREETING $(id -u):$(id -g) $(hostname); exit 3"});
  EXPECT_EQ(e.value("exit_code", -1), 3);
  EXPECT_EQ(e.value("stdout", ""), "hello 1234:4321 web\n");
  e = exec("web", {"cat", "/sys/fs/cgroup/memory/memory.limit_in_bytes", "/sys/fs/cgroup/pids/pids.max"});
  EXPECT_EQ(e.value("stdout", ""), "67108864\n40\n") << e.dump();

  auto logs = d_.api("GET", "/v1/containers/web/logs");
  EXPECT_EQ(logs.status, 200);
  EXPECT_NE(logs.body.find("started-42"), std::string::npos) << logs.body;

  // Limits change while it runs.
  auto l = d_.api("PATCH", "/v1/containers/web/limits", json{{"memory", "128M"}, {"cpus", 0.5}, {"pids", 0}});
  ASSERT_EQ(l.status, 200) << l.body;
  EXPECT_EQ(l.json["limits"]["memory"], "128M");
  e = exec("web", {"cat", "/sys/fs/cgroup/memory/memory.limit_in_bytes", "/sys/fs/cgroup/cpu/cpu.cfs_quota_us",
                   "/sys/fs/cgroup/pids/pids.max"});
  EXPECT_EQ(e.value("stdout", ""), "134217728\n50000\nmax\n") << e.dump();
  EXPECT_EQ(d_.api("PATCH", "/v1/containers/web/limits", json{{"memory", "1K"}}).status, 400);
  EXPECT_EQ(d_.api("PATCH", "/v1/containers/web/limits", json{{"disk", 1}}).status, 400);

  auto metrics = d_.api("GET", "/metrics");
  EXPECT_NE(metrics.body.find("vessel_container_up{container=\"web\"} 1"), std::string::npos) << metrics.body;
  EXPECT_NE(metrics.body.find("vessel_container_memory_limit_bytes{container=\"web\"} 134217728"), std::string::npos);

  auto p = d_.api("POST", "/v1/containers/web/pause", std::string());
  EXPECT_EQ(p.json.value("state", ""), "paused") << p.body;
  EXPECT_EQ(d_.api("POST", "/v1/containers/web/exec", json{{"command", {"true"}}}).status, 409);
  p = d_.api("POST", "/v1/containers/web/resume", std::string());
  EXPECT_EQ(p.json.value("state", ""), "running") << p.body;

  // It ignores SIGTERM: stop kills it once the timeout has passed.
  auto s = d_.api("POST", "/v1/containers/web/stop", json{{"timeout_seconds", 0.5}});
  ASSERT_EQ(s.status, 200) << s.body;
  EXPECT_EQ(s.json.value("state", ""), "stopped");
  EXPECT_EQ(s.json.value("last_exit", ""), "killed by signal 9");
  EXPECT_FALSE(manager::process_start_time(pid)) << "the init is gone";
  EXPECT_EQ(d_.api("POST", "/v1/containers/web/stop", std::string()).status, 409);

  auto del = d_.api("DELETE", "/v1/containers/web");
  EXPECT_EQ(del.status, 200);
  EXPECT_EQ(d_.api("GET", "/v1/containers/web").status, 404);
  EXPECT_FALSE(fs::exists(d_.state_dir() + "/containers/web"));
}

TEST_F(ManagerContainers, ExitStatusIsRecordedAndTheWritableLayerKeptAcrossRuns) {
  create({{"name", "job"}, {"rootfs", rootfs_}, {"command", {"sh", "-c", "cat /data/runs 2>/dev/null; echo run >> /data/runs; exit 7"}}});
  for (int run = 1; run <= 2; ++run) {
    auto r = d_.api("POST", "/v1/containers/job/start", std::string());
    ASSERT_EQ(r.status, 200) << r.body;
    ASSERT_TRUE(d_.wait_state_at("/v1/containers/job", "stopped", 30s));
    EXPECT_EQ(d_.api("GET", "/v1/containers/job").json.value("last_exit", ""), "exited 7");
  }
  // The second run saw the first run's file: writes live in the container's own layer...
  EXPECT_NE(d_.api("GET", "/v1/containers/job/logs").body.find("run\n"), std::string::npos);
  // ...and never in the shared base.
  EXPECT_FALSE(fs::exists(rootfs_ + "/data/runs"));
}

TEST_F(ManagerContainers, BadInputIsRefusedWithTheApiErrors) {
  EXPECT_EQ(d_.api("POST", "/v1/containers", json{{"name", "x"}, {"rootfs", rootfs_}, {"bogus", 1}}).status, 400);
  EXPECT_EQ(d_.api("POST", "/v1/containers", json{{"name", "x"}}).status, 400);  // neither image nor rootfs
  EXPECT_EQ(d_.api("POST", "/v1/containers", json{{"name", "x"}, {"image", "nope"}}).status, 400);
  EXPECT_EQ(d_.api("POST", "/v1/containers", json{{"name", "x"}, {"rootfs", "/does/not/exist"}}).status, 400);
  EXPECT_EQ(d_.api("POST", "/v1/containers", json{{"name", "-bad"}, {"rootfs", rootfs_}}).status, 400);
  EXPECT_EQ(d_.api("POST", "/v1/containers", json{{"name", "x"}, {"rootfs", rootfs_}, {"network", "bridge"}}).status, 400);
  EXPECT_EQ(d_.api("POST", "/v1/containers", std::string("{not json")).status, 400);
  EXPECT_EQ(d_.api("GET", "/v1/containers/ghost").status, 404);
  EXPECT_EQ(d_.api("POST", "/v1/containers/ghost/start", std::string()).status, 404);
  // Routes the document does not have: asked directly, not through the validating client.
  auto teleport = http::http_request(d_.socket(), "POST", "/v1/containers/ghost/teleport", "");
  ASSERT_TRUE(teleport);
  EXPECT_EQ(teleport->status, 404);
  auto put = http::http_request(d_.socket(), "PUT", "/v1/containers", "");
  ASSERT_TRUE(put);
  EXPECT_EQ(put->status, 405);
  create({{"name", "x"}, {"rootfs", rootfs_}, {"command", {"/bin/does-not-exist"}}});
  EXPECT_EQ(d_.api("POST", "/v1/containers", json{{"name", "x"}, {"rootfs", rootfs_}}).status, 409);
  // A program missing from the root filesystem fails start with the runtime's reason.
  auto r = d_.api("POST", "/v1/containers/x/start", std::string());
  EXPECT_EQ(r.status, 500);
  EXPECT_NE(r.body.find("executable file not found"), std::string::npos) << r.body;
  EXPECT_EQ(d_.api("GET", "/v1/containers/x").json.value("state", ""), "stopped");
  EXPECT_EQ(d_.api("POST", "/v1/containers/x/exec", json{{"command", {"true"}}}).status, 409);
  EXPECT_EQ(d_.api("POST", "/v1/containers/x/exec", json{{"command", json::array()}}).status, 400);
}

TEST_F(ManagerContainers, ConsoleAttachShowsHistoryThenLiveOutputAndTakesInput) {
  create({{"name", "echo"},
          {"rootfs", rootfs_},
          {"command", {"sh", "-c", "echo ready; while read line; do echo got-$line; done"}},
          {"start", true}});
  ConsoleStream console(d_.socket(), ConsoleStream::ApiPath{"/v1/containers/echo/console"});
  ASSERT_TRUE(console.ok());
  ASSERT_TRUE(console.expect("ready", 10s)) << console.output();
  console.send("hi-$((6*7))\n");
  ASSERT_TRUE(console.expect("got-hi-$((6*7))", 10s)) << console.output();
  console.send("second\n");
  ASSERT_TRUE(console.expect("got-second", 10s)) << console.output();
}

TEST_F(ManagerContainers, ContainersOutliveAKilledDaemonAndAreAdoptedAgain) {
  auto c = create({{"name", "svc"}, {"rootfs", rootfs_}, {"command", {"sleep", "1000"}}, {"start", true}});
  const pid_t pid = c.value("pid", 0);
  ASSERT_GT(pid, 0);
  const auto start_time = manager::process_start_time(pid);
  d_.kill9();
  EXPECT_EQ(manager::process_start_time(pid), start_time) << "the container survives the daemon";
  d_.start();
  auto again = d_.api("GET", "/v1/containers/svc");
  EXPECT_EQ(again.json.value("state", ""), "running") << again.body;
  EXPECT_EQ(again.json.value("pid", 0), pid);
  auto e = exec("svc", {"echo", "still-here"});
  EXPECT_EQ(e.value("stdout", ""), "still-here\n");
  auto s = d_.api("POST", "/v1/containers/svc/stop", json{{"timeout_seconds", 2}});
  EXPECT_EQ(s.json.value("state", ""), "stopped") << s.body;
  EXPECT_FALSE(manager::process_start_time(pid));
}

// An OCI image layout made here: two gzip layers, the second with a whiteout and an opaque
// directory, and a config with entrypoint, env, workdir and user.
std::string sha256_of(const std::string& file) {
  FILE* p = popen(("sha256sum '" + file + "'").c_str(), "r");
  char hex[65] = {};
  if (p && fscanf(p, "%64s", hex) != 1) hex[0] = 0;
  if (p) pclose(p);
  return hex;
}

std::string add_blob(const std::string& layout, const std::string& file) {
  const std::string digest = sha256_of(file);
  fs::create_directories(layout + "/blobs/sha256");
  fs::rename(file, layout + "/blobs/sha256/" + digest);
  return "sha256:" + digest;
}

TEST_F(ManagerContainers, ImagesImportedFromAnOciLayoutWithWhiteouts) {
  const std::string work = d_.dir() + "/image", layout = work + "/layout";
  fs::create_directories(work + "/l1");
  fs::create_directories(layout);
  make_busybox_root(work + "/l1");
  fs::create_directories(work + "/l1/app/cache");
  std::ofstream(work + "/l1/app/old") << "old\n";
  std::ofstream(work + "/l1/app/cache/stale") << "stale\n";
  fs::create_directories(work + "/l2/app/cache");
  std::ofstream(work + "/l2/app/.wh.old") << "";
  std::ofstream(work + "/l2/app/cache/.wh..wh..opq") << "";
  std::ofstream(work + "/l2/app/cache/fresh") << "fresh\n";
  std::ofstream(work + "/l2/app/run.sh") << "echo $MODE in $(pwd) as $(id -u); ls /app; ls /app/cache\n";
  ASSERT_EQ(system(("tar -C " + work + "/l1 -czf " + work + "/l1.tgz . && tar -C " + work + "/l2 -czf " + work +
                    "/l2.tgz .").c_str()),
            0);
  const std::string l1 = add_blob(layout, work + "/l1.tgz"), l2 = add_blob(layout, work + "/l2.tgz");
  std::ofstream(work + "/config.json")
      << json{{"architecture", "amd64"},
              {"os", "linux"},
              {"config",
               {{"Entrypoint", {"sh"}}, {"Cmd", {"/app/run.sh"}}, {"Env", {"MODE=image", "PATH=/bin"}}, {"WorkingDir", "/app"},
                {"User", "web"}}},
              {"rootfs", {{"type", "layers"}, {"diff_ids", json::array()}}}}
             .dump();
  const std::string config = add_blob(layout, work + "/config.json");
  const auto size = [&](const std::string& digest) { return fs::file_size(layout + "/blobs/sha256/" + digest.substr(7)); };
  const std::string layer_type = "application/vnd.oci.image.layer.v1.tar+gzip";
  std::ofstream(work + "/manifest.json")
      << json{{"schemaVersion", 2},
              {"mediaType", "application/vnd.oci.image.manifest.v1+json"},
              {"config", {{"mediaType", "application/vnd.oci.image.config.v1+json"}, {"digest", config}, {"size", size(config)}}},
              {"layers",
               {{{"mediaType", layer_type}, {"digest", l1}, {"size", size(l1)}},
                {{"mediaType", layer_type}, {"digest", l2}, {"size", size(l2)}}}}}
             .dump();
  const std::string manifest = add_blob(layout, work + "/manifest.json");
  std::ofstream(layout + "/oci-layout") << R"({"imageLayoutVersion":"1.0.0"})";
  std::ofstream(layout + "/index.json")
      << json{{"schemaVersion", 2},
              {"manifests",
               {{{"mediaType", "application/vnd.oci.image.manifest.v1+json"}, {"digest", manifest}, {"size", size(manifest)},
                 {"annotations", {{"org.opencontainers.image.ref.name", "app"}}}}}}}
             .dump();
  ASSERT_EQ(system(("tar -C " + layout + " -cf " + work + "/layout.tar .").c_str()), 0);

  auto imported = d_.api("POST", "/v1/images", json{{"path", work + "/layout.tar"}});
  ASSERT_EQ(imported.status, 201) << imported.body;
  EXPECT_EQ(imported.json.value("name", ""), "app");
  EXPECT_EQ(d_.api("POST", "/v1/images", json{{"path", work + "/layout.tar"}}).status, 409);
  EXPECT_EQ(d_.api("POST", "/v1/images", json{{"path", layout}, {"name", "app-dir"}}).status, 201) << "a layout directory";
  EXPECT_EQ(d_.api("POST", "/v1/images", json{{"path", work + "/config.json"}, {"name", "junk"}}).status, 400);
  EXPECT_EQ(d_.api("GET", "/v1/images").json.size(), 2u);

  create({{"name", "app1"}, {"image", "app"}, {"start", true}});
  ASSERT_TRUE(d_.wait_state_at("/v1/containers/app1", "stopped", 30s));
  const std::string out = d_.api("GET", "/v1/containers/app1/logs").body;
  EXPECT_EQ(out, "image in /app as 1234\ncache\nrun.sh\nfresh\n") << "whiteout, opaque directory, entrypoint, env, workdir, user";
  EXPECT_EQ(d_.api("DELETE", "/v1/images/app").status, 409) << "a container uses it";
  EXPECT_EQ(d_.api("DELETE", "/v1/containers/app1").status, 200);
  EXPECT_EQ(d_.api("DELETE", "/v1/images/app").status, 200);
  EXPECT_EQ(d_.api("GET", "/v1/images/app").status, 404);
}

// What `podman save` writes, in both of its formats.
TEST_F(ManagerContainers, ImagesFromPodmanSave) {
  if (system("command -v podman >/dev/null 2>&1") != 0) GTEST_SKIP() << "podman is not installed";
  const std::string p = "podman --root " + d_.dir() + "/podman --runroot " + d_.dir() + "/podman-run " +
                        "--cgroup-manager cgroupfs --events-backend none ";
  ASSERT_EQ(system(("tar -C " + rootfs_ + " -c . | " + p + "import -q - localhost/vessel-bb:test >/dev/null").c_str()), 0);
  ASSERT_EQ(system((p + "save -q --format docker-archive -o " + d_.dir() + "/docker.tar localhost/vessel-bb:test").c_str()), 0);
  ASSERT_EQ(system((p + "save -q --format oci-archive -o " + d_.dir() + "/oci.tar localhost/vessel-bb:test").c_str()), 0);
  (void)system((p + "rmi -af >/dev/null 2>&1; umount -l " + d_.dir() + "/podman/overlay 2>/dev/null").c_str());
  auto docker = d_.api("POST", "/v1/images", json{{"path", d_.dir() + "/docker.tar"}, {"name", "from-docker-archive"}});
  ASSERT_EQ(docker.status, 201) << docker.body;
  auto oci = d_.api("POST", "/v1/images", json{{"path", d_.dir() + "/oci.tar"}, {"name", "from-oci-archive"}});
  ASSERT_EQ(oci.status, 201) << oci.body;
  for (const char* image : {"from-docker-archive", "from-oci-archive"}) {
    const std::string name = std::string("c-") + image;
    create({{"name", name}, {"image", image}, {"command", {"sh", "-c", "echo from $(cat /etc/group | head -1)"}}, {"start", true}});
    ASSERT_TRUE(d_.wait_state_at("/v1/containers/" + name, "stopped", 30s));
    EXPECT_EQ(d_.api("GET", "/v1/containers/" + name + "/logs").body, "from root:x:0:\n") << image;
  }
}

TEST_F(ManagerContainers, VesselLsListsVmsAndContainers) {
  create({{"name", "listed"}, {"rootfs", rootfs_}, {"command", {"sleep", "1000"}}, {"start", true}});
  ASSERT_EQ(d_.api("POST", "/v1/vms", d_.guest_vm("avm")).status, 201);
  FILE* p = popen((vessel_cli_bin() + " ls --socket " + d_.socket()).c_str(), "r");
  std::string out;
  char buf[256];
  while (p && fgets(buf, sizeof buf, p)) out += buf;
  ASSERT_TRUE(p);
  EXPECT_EQ(pclose(p), 0);
  EXPECT_NE(out.find("listed"), std::string::npos) << out;
  EXPECT_NE(out.find("container  running"), std::string::npos) << out;
  EXPECT_NE(out.find("avm"), std::string::npos) << out;
  EXPECT_NE(out.find("vm         stopped"), std::string::npos) << out;
  FILE* e = popen((vessel_cli_bin() + " ct exec --socket " + d_.socket() + " listed -- sh -c 'echo out; exit 4'").c_str(), "r");
  std::string exec_out;
  while (e && fgets(buf, sizeof buf, e)) exec_out += buf;
  ASSERT_TRUE(e);
  const int status = pclose(e);
  EXPECT_EQ(exec_out, "out\n");
  EXPECT_EQ(WEXITSTATUS(status), 4) << "vessel ct exec exits with the command's status";
  EXPECT_EQ(d_.api("POST", "/v1/containers/listed/kill", std::string()).json.value("state", ""), "stopped");
}

}  // namespace
}  // namespace vessel::test
