// Bad input: a clear error, a non-zero exit status, and never a partial container.
#include <fstream>

#include "container/cgroup_hierarchy.h"
#include "runtime_harness.h"

namespace vessel::container::testing {
namespace {

class BadInput : public ContainerTest {
 protected:
  void expect_nothing_left(const std::string& id) {
    EXPECT_EQ(runtime({"list", "-q"}).out, "");
    EXPECT_NE(access((state_root_ + "/" + id).c_str(), F_OK), 0) << "state directory left for " << id;
    for (const auto& h : discover_cgroup_layout().hierarchies)
      EXPECT_NE(access((h.mount_point + cgroup_of(id)).c_str(), F_OK), 0) << "cgroup left in " << h.mount_point;
  }
};

TEST_F(BadInput, MissingBundle) {
  const auto r = runtime({"create", "--bundle", tmp_ + "/nowhere", "b1"});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("nowhere"), std::string::npos) << r.err;
  expect_nothing_left("b1");
}

TEST_F(BadInput, InvalidJsonWrongTypesAndUnknownNamespace) {
  const std::string bundle = bundle_with(config_for({"true"}));
  std::ofstream(bundle + "/config.json") << "{ not json";
  auto r = runtime({"create", "--bundle", bundle, "b2"});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("not valid JSON"), std::string::npos) << r.err;

  auto wrong_type = config_for({"true"});
  wrong_type["process"]["cwd"] = 42;
  r = runtime({"create", "--bundle", bundle_with(wrong_type), "b2"});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("process.cwd"), std::string::npos) << r.err;

  auto unknown_ns = config_for({"true"});
  unknown_ns["linux"]["namespaces"].push_back({{"type", "telepathy"}});
  r = runtime({"create", "--bundle", bundle_with(unknown_ns), "b2"});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("unknown namespace type 'telepathy'"), std::string::npos) << r.err;
  expect_nothing_left("b2");
}

TEST_F(BadInput, NonexistentId) {
  for (const char* command : {"state", "start", "kill", "delete", "ps"}) {
    const auto r = runtime({command, "ghost"});
    EXPECT_EQ(r.status, 1) << command;
    EXPECT_NE(r.err.find("does not exist"), std::string::npos) << command << ": " << r.err;
  }
  EXPECT_EQ(runtime({"exec", "ghost", "true"}).status, 1);
}

TEST_F(BadInput, DuplicateIdLeavesTheFirstContainerAlone) {
  ASSERT_EQ(runtime({"create", "--bundle", bundle_with(config_for({"true"})), "twin"}).status, 0);
  const int pid = state("twin")["pid"];
  const auto r = runtime({"create", "--bundle", bundle_with(config_for({"true"})), "twin"});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("already exists"), std::string::npos) << r.err;
  EXPECT_EQ(state("twin")["status"], "created");
  EXPECT_EQ(state("twin")["pid"], pid);
}

TEST_F(BadInput, FailureInsideTheNewContainerLeavesNothing) {
  auto config = config_for({"true"});
  config["mounts"].push_back({{"destination", "/data"}, {"type", "bind"}, {"source", tmp_ + "/no-such-source"}, {"options", {"bind"}}});
  auto r = runtime({"create", "--bundle", bundle_with(config), "half"});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("no-such-source"), std::string::npos) << r.err;
  expect_nothing_left("half");

  r = run_container(config_for({"/bin/not-there"}), "noexec");
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.err.find("not-there"), std::string::npos) << r.err;
  expect_nothing_left("noexec");

  // A program missing from the root filesystem fails `create` itself, as with runc.
  r = runtime({"create", "--bundle", bundle_with(config_for({"no-such-program"})), "noprog"});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("executable file not found"), std::string::npos) << r.err;
  expect_nothing_left("noprog");
}

TEST_F(BadInput, UsageErrors) {
  EXPECT_EQ(runtime({"frobnicate"}).status, 2);
  EXPECT_EQ(runtime({"create", "--no-such-flag", "x"}).status, 2);
  EXPECT_EQ(runtime({"state"}).status, 2);
  EXPECT_EQ(runtime({"kill", "x", "NOTASIGNAL"}).status, 2);
  EXPECT_EQ(runtime({"create", "--bundle", tmp_, "bad/id"}).status, 2);
  auto terminal = config_for({"true"});
  terminal["process"]["terminal"] = true;
  const auto r = runtime({"create", "--bundle", bundle_with(terminal), "tty"});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("console-socket"), std::string::npos) << r.err;
}

TEST_F(BadInput, JsonLogForTools) {
  const auto r = run_process({VESSEL_RUNC_PATH, "--root", state_root_, "--log", tmp_ + "/log.json", "--log-format", "json",
                              "state", "ghost"});
  EXPECT_EQ(r.status, 1);
  std::ifstream in(tmp_ + "/log.json");
  std::string line;
  std::getline(in, line);
  const auto j = nlohmann::json::parse(line, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << line;
  EXPECT_EQ(j["level"], "error");
  EXPECT_NE(j["msg"].get<std::string>().find("does not exist"), std::string::npos);
}

}  // namespace
}  // namespace vessel::container::testing
