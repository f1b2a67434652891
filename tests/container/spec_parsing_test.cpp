#include <gtest/gtest.h>

#include <sched.h>
#include <sys/resource.h>

#include "container/default_spec.h"
#include "container/error.h"
#include "container/oci_spec.h"

using namespace vessel::container;
using nlohmann::json;

namespace {

json minimal() { return default_spec({"/bin/true"}, "/rootfs"); }

// The message of the BadInput error parse_spec throws, or "" if it accepts the document.
std::string rejection(const json& doc) {
  try {
    parse_spec(doc, "/bundle");
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::BadInput) << e.what();
    return e.what();
  }
  return "";
}

}  // namespace

TEST(SpecParsing, DefaultSpecParses) {
  const Spec spec = parse_spec(minimal(), "/bundle");
  ASSERT_TRUE(spec.process);
  EXPECT_EQ(spec.process->args, std::vector<std::string>{"/bin/true"});
  EXPECT_EQ(spec.root_path, "/rootfs");
  EXPECT_TRUE(spec.root_readonly);
  EXPECT_EQ(spec.hostname, "vessel");
  EXPECT_TRUE(spec.linux_spec.find_namespace(NamespaceType::Pid));
  EXPECT_TRUE(spec.linux_spec.find_namespace(NamespaceType::Network));
  EXPECT_FALSE(spec.linux_spec.find_namespace(NamespaceType::User));
  ASSERT_EQ(spec.process->rlimits.size(), 1u);
  EXPECT_EQ(spec.process->rlimits[0].resource, RLIMIT_NOFILE);
  EXPECT_TRUE(spec.process->no_new_privileges);
}

TEST(SpecParsing, RelativeRootIsResolvedAgainstTheBundle) {
  json doc = minimal();
  doc["root"]["path"] = "rootfs";
  EXPECT_EQ(parse_spec(doc, "/srv/bundle").root_path, "/srv/bundle/rootfs");
}

TEST(SpecParsing, UnknownPropertiesAreIgnoredAsTheSpecRequires) {
  json doc = minimal();
  doc["someFutureField"] = {{"x", 1}};
  doc["process"]["anotherOne"] = true;
  EXPECT_EQ(rejection(doc), "");
}

TEST(SpecParsing, RejectsWrongTypesWithTheFieldPath) {
  json doc = minimal();
  doc["process"]["args"] = "not-an-array";
  EXPECT_NE(rejection(doc).find("process.args"), std::string::npos);
  doc = minimal();
  doc["process"]["user"]["uid"] = -1;
  EXPECT_NE(rejection(doc).find("process.user.uid"), std::string::npos);
  doc = minimal();
  doc["mounts"][0]["destination"] = "relative/path";
  EXPECT_NE(rejection(doc).find("mounts[0].destination"), std::string::npos);
}

TEST(SpecParsing, RejectsUnknownNamespaceAndDuplicates) {
  json doc = minimal();
  doc["linux"]["namespaces"].push_back({{"type", "bogus"}});
  EXPECT_NE(rejection(doc).find("unknown namespace type 'bogus'"), std::string::npos);
  doc = minimal();
  doc["linux"]["namespaces"].push_back({{"type", "pid"}});
  EXPECT_NE(rejection(doc).find("duplicate namespace pid"), std::string::npos);
}

TEST(SpecParsing, RejectsMissingRequiredFields) {
  json doc = minimal();
  doc.erase("ociVersion");
  EXPECT_NE(rejection(doc).find("ociVersion"), std::string::npos);
  doc = minimal();
  doc.erase("root");
  EXPECT_NE(rejection(doc).find("root"), std::string::npos);
  doc = minimal();
  doc["process"]["args"] = json::array();
  EXPECT_NE(rejection(doc).find("process.args"), std::string::npos);
}

TEST(SpecParsing, RejectsBadValues) {
  json doc = minimal();
  doc["process"]["rlimits"] = {{{"type", "RLIMIT_BOGUS"}, {"soft", 1}, {"hard", 1}}};
  EXPECT_NE(rejection(doc).find("unknown rlimit"), std::string::npos);
  doc["process"]["rlimits"] = {{{"type", "RLIMIT_NOFILE"}, {"soft", 10}, {"hard", 1}}};
  EXPECT_NE(rejection(doc).find("soft limit above hard"), std::string::npos);
  doc = minimal();
  doc["linux"]["seccomp"] = {{"defaultAction", "SCMP_ACT_EXPLODE"}};
  EXPECT_NE(rejection(doc).find("unsupported action"), std::string::npos);
  doc = minimal();
  doc["hooks"]["poststart"] = {{{"path", "relative"}}};
  EXPECT_NE(rejection(doc).find("absolute"), std::string::npos);
}

// As runc does: a name no kernel interface maps to is left out (the caller warns), so that
// configs naming capabilities newer than this kernel still run.
TEST(SpecParsing, UnknownCapabilitiesAreSetAside) {
  json doc = minimal();
  doc["process"]["capabilities"]["bounding"] = {"CAP_KILL", "CAP_NOT_A_THING"};
  doc["process"]["capabilities"]["ambient"] = {"CAP_NOT_A_THING", "CAP_OTHER"};
  const Spec spec = parse_spec(doc, "/bundle");
  ASSERT_TRUE(spec.process->capabilities);
  EXPECT_EQ(spec.process->capabilities->bounding.size(), 1u);
  EXPECT_TRUE(spec.process->capabilities->ambient.empty());
  EXPECT_EQ(spec.process->capabilities->unknown, (std::vector<std::string>{"CAP_NOT_A_THING", "CAP_OTHER"}));
}

TEST(SpecParsing, CrossFieldRules) {
  json doc = minimal();
  doc["linux"]["namespaces"].push_back({{"type", "user"}});
  EXPECT_NE(rejection(doc).find("uidMappings"), std::string::npos);
  doc["linux"]["uidMappings"] = {{{"containerID", 0}, {"hostID", 100000}, {"size", 65536}}};
  doc["linux"]["gidMappings"] = {{{"containerID", 0}, {"hostID", 100000}, {"size", 65536}}};
  EXPECT_EQ(rejection(doc), "");
  doc = minimal();
  for (auto it = doc["linux"]["namespaces"].begin(); it != doc["linux"]["namespaces"].end(); ++it)
    if ((*it)["type"] == "uts") {
      doc["linux"]["namespaces"].erase(it);
      break;
    }
  EXPECT_NE(rejection(doc).find("hostname requires a uts namespace"), std::string::npos);
}

TEST(SpecParsing, ResourcesAndSeccomp) {
  json doc = minimal();
  doc["linux"]["resources"] = {{"memory", {{"limit", 1 << 20}}},
                               {"cpu", {{"shares", 512}, {"quota", 50000}, {"period", 100000}}},
                               {"pids", {{"limit", 32}}},
                               {"devices", {{{"allow", false}, {"access", "rwm"}}}}};
  doc["linux"]["seccomp"] = {{"defaultAction", "SCMP_ACT_ALLOW"},
                             {"syscalls", {{{"names", {"mkdir"}}, {"action", "SCMP_ACT_ERRNO"}, {"errnoRet", 38}}}}};
  const Spec spec = parse_spec(doc, "/b");
  EXPECT_EQ(spec.linux_spec.resources.memory_limit, 1 << 20);
  EXPECT_EQ(spec.linux_spec.resources.cpu_shares, 512u);
  EXPECT_EQ(spec.linux_spec.resources.cpu_quota, 50000);
  EXPECT_EQ(spec.linux_spec.resources.pids_limit, 32);
  ASSERT_EQ(spec.linux_spec.resources.devices.size(), 1u);
  EXPECT_FALSE(spec.linux_spec.resources.devices[0].allow);
  ASSERT_TRUE(spec.linux_spec.seccomp);
  EXPECT_EQ(spec.linux_spec.seccomp->syscalls.at(0).errno_ret, 38u);
}

TEST(SpecParsing, ProcessForExec) {
  const ProcessSpec p = parse_process(json{{"args", {"sh"}}, {"cwd", "/tmp"}, {"env", {"A=1"}}, {"terminal", true}});
  EXPECT_EQ(p.cwd, "/tmp");
  EXPECT_TRUE(p.terminal);
  EXPECT_THROW(parse_process(json{{"args", {"sh"}}, {"cwd", "tmp"}}), Error);
}
