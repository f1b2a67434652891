// Unit tests of the manager's parsing layers: HTTP requests, routes -> actions, definitions.
#include <gtest/gtest.h>

#include <algorithm>

#include "api/actions.h"
#include "http/http_message.h"
#include "manager/daemon_fixture.h"
#include "manager/vm_definition.h"
#include "support/guest_process.h"

namespace vessel::test {
namespace {

using nlohmann::json;

TEST(ManagerUnit, RequestParserHandlesPipelinesAndPartialInput) {
  http::RequestParser p;
  http::HttpRequest r;
  const std::string two = "POST /v1/vms HTTP/1.1\r\nContent-Length: 2\r\nHost: x\r\n\r\n{}GET /metrics HTTP/1.1\r\n\r\n";
  p.feed(two.data(), 10);
  EXPECT_EQ(p.next(r), http::RequestParser::State::NeedMore);
  p.feed(two.data() + 10, two.size() - 10);
  ASSERT_EQ(p.next(r), http::RequestParser::State::Complete);
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.body, "{}");
  ASSERT_EQ(p.next(r), http::RequestParser::State::Complete);
  EXPECT_EQ(r.path, "/metrics");
  EXPECT_EQ(p.next(r), http::RequestParser::State::NeedMore);
}

TEST(ManagerUnit, RequestParserRefusesMalformedInput) {
  for (const char* bad : {"GET\r\n\r\n", "GET / HTTP/2.0\r\n\r\n", "GET / HTTP/1.1\r\nNoColon\r\n\r\n",
                          "POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
                          "POST / HTTP/1.1\r\nContent-Length: 99999999999\r\n\r\n"}) {
    http::RequestParser p;
    http::HttpRequest r;
    p.feed(bad, strlen(bad));
    EXPECT_EQ(p.next(r), http::RequestParser::State::Bad) << bad;
    EXPECT_GE(p.error_status(), 400);
  }
}

TEST(ManagerUnit, RoutesBecomeTypedActions) {
  auto parse = [](const char* method, const char* path, const char* body = "") {
    http::HttpRequest r;
    r.method = method;
    r.path = path;
    r.body = body;
    r.version = "HTTP/1.1";
    return api::parse_request(r);
  };
  EXPECT_TRUE(std::holds_alternative<api::ListVms>(std::get<api::Action>(parse("GET", "/v1/vms"))));
  auto stop = std::get<api::PowerAction>(std::get<api::Action>(parse("POST", "/v1/vms/a/stop", R"({"timeout_seconds":2.5})")));
  EXPECT_EQ(stop.kind, api::Power::Stop);
  EXPECT_EQ(stop.timeout.count(), 2500);
  EXPECT_TRUE(std::holds_alternative<api::UpdateLimits>(std::get<api::Action>(parse("PUT", "/v1/vms/a/limits", "{}"))));
  EXPECT_EQ(std::get<api::ApiError>(parse("DELETE", "/v1/vms/a/start")).status, 405);
  EXPECT_EQ(std::get<api::ApiError>(parse("GET", "/v1/vms/a/b/c")).status, 404);
}

TEST(ManagerUnit, DefinitionRoundTripsAndBuildsVmmArguments) {
  json body{{"name", "db"},
            {"cpus", 2},
            {"memory", "1G"},
            {"kernel", guest_dir() + "/Image"},
            {"cmdline", "console=ttyS0"},
            {"engine", "interp"},
            {"cpu", "rva23"},
            {"hugepages", true},
            {"drives", json::array({{{"file", guest_dir() + "/Image"}, {"format", "raw"}, {"readonly", true}}})},
            {"nets", json::array({{{"mode", "user"}, {"hostfwd", json::array({"tcp::2222-:22"})}}})},
            {"limits", {{"cpu", 0.5}, {"drives", json::array({{{"bps", 1000000}, {"iops", 100}}})}}}};
  bool start = true;
  auto d = manager::parse_definition(body, start);
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_FALSE(start);
  const json stored = manager::to_json(d.value());
  EXPECT_EQ(openapi().check_schema("VmConfig", stored), "");
  auto again = manager::definition_from_store(stored);
  ASSERT_TRUE(again);
  EXPECT_EQ(manager::to_json(again.value()), stored);
  const auto args = manager::to_vmm_args(d.value());
  const std::string joined = [&] {
    std::string s;
    for (const auto& a : args) s += a + " ";
    return s;
  }();
  EXPECT_NE(joined.find("--memory 1024M --cpus 2"), std::string::npos) << joined;
  EXPECT_NE(joined.find("format=raw,readonly=on,bps=1000000,iops=100"), std::string::npos) << joined;
  EXPECT_NE(joined.find("--net user,hostfwd=tcp::2222-:22"), std::string::npos) << joined;
  EXPECT_NE(joined.find("--cpu-cap 0.5"), std::string::npos) << joined;
  EXPECT_NE(joined.find("--engine interp"), std::string::npos) << joined;
  EXPECT_NE(joined.find("--cpu rva23"), std::string::npos) << joined;
  EXPECT_EQ(joined.find("--hugepages off"), std::string::npos) << joined;
  EXPECT_EQ(stored["hugepages"], true);
}

// Firmware boot needs no kernel; "uboot" becomes the VMM's --firmware, and a seed made by the
// manager is attached read-only after the VM's own drives.
TEST(ManagerUnit, FirmwareAndCloudInitSeedReachTheVmm) {
  bool start = false;
  auto d = manager::parse_definition(json{{"name", "fw"}, {"firmware", "uboot"}}, start);
  ASSERT_TRUE(d) << d.error().message;
  d.value().cloud_init_seed = "/state/vms/fw/cidata.iso";
  const json stored = manager::to_json(d.value());
  EXPECT_EQ(openapi().check_schema("VmConfig", stored), "");
  auto again = manager::definition_from_store(stored);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(again.value().cloud_init_seed, "/state/vms/fw/cidata.iso");
  const auto args = manager::to_vmm_args(again.value());
  std::string joined;
  for (const auto& a : args) joined += a + " ";
  EXPECT_NE(joined.find("--firmware uboot"), std::string::npos) << joined;
  EXPECT_EQ(joined.find("--kernel"), std::string::npos) << joined;
  EXPECT_NE(joined.find("--drive file=/state/vms/fw/cidata.iso,format=raw,readonly=on"), std::string::npos) << joined;

  // A client cannot name the seed, nor mix firmware with a kernel, nor leave both out.
  for (const json& bad : {json{{"name", "x"}, {"firmware", "uboot"}, {"cloud_init_seed", "/etc/passwd"}},
                          json{{"name", "x"}, {"firmware", "uboot"}, {"kernel", guest_dir() + "/Image"}},
                          json{{"name", "x"}, {"firmware", "grub"}}, json{{"name", "x"}}}) {
    auto r = manager::parse_definition(bad, start);
    EXPECT_FALSE(r) << bad.dump();
  }
}

TEST(ManagerUnit, VsockReachesTheVmmWithTheVmsSocket) {
  bool start = false;
  auto d = manager::parse_definition(
      json{{"name", "v"}, {"kernel", guest_dir() + "/Image"}, {"vsock", {{"cid", 42}, {"bus", "pci"}}}}, start);
  ASSERT_TRUE(d) << d.error().message;
  const json stored = manager::to_json(d.value());
  EXPECT_EQ(openapi().check_schema("VmConfig", stored), "");
  auto again = manager::definition_from_store(stored);
  ASSERT_TRUE(again) << again.error().message;
  std::string joined;
  for (const auto& a : manager::to_vmm_args(again.value(), "/state/vms/v/vsock")) joined += a + " ";
  EXPECT_NE(joined.find("--vsock cid=42,uds=/state/vms/v/vsock,bus=pci"), std::string::npos) << joined;
  for (const json& bad : {json{{"cid", 2}}, json{{"cid", "3"}}, json{{"bus", "pci"}}, json{{"cid", 3}, {"port", 1}},
                          json{{"cid", 4294967295ull}}, json{{"cid", 3}, {"bus", "isa"}}}) {
    auto r = manager::parse_definition(json{{"name", "x"}, {"kernel", guest_dir() + "/Image"}, {"vsock", bad}}, start);
    EXPECT_FALSE(r) << bad.dump();
  }
}

TEST(ManagerUnit, SharesReachTheVmmAndAreChecked) {
  bool start = false;
  const std::string dir = testing::TempDir();
  auto d = manager::parse_definition(
      json{{"name", "v"},
           {"kernel", guest_dir() + "/Image"},
           {"shares", json::array({{{"tag", "data"}, {"path", dir}},
                                   {{"tag", "ro"}, {"path", dir}, {"readonly", true}, {"bus", "pci"}}})}},
      start);
  ASSERT_TRUE(d) << d.error().message;
  const json stored = manager::to_json(d.value());
  EXPECT_EQ(openapi().check_schema("VmConfig", stored), "");
  auto again = manager::definition_from_store(stored);
  ASSERT_TRUE(again) << again.error().message;
  std::string joined;
  for (const auto& a : manager::to_vmm_args(again.value())) joined += a + " ";
  EXPECT_NE(joined.find("--share tag=data,path=" + dir + " "), std::string::npos) << joined;
  EXPECT_NE(joined.find("--share tag=ro,path=" + dir + ",readonly=on,bus=pci"), std::string::npos) << joined;
  for (const json& bad : {json{{"path", dir}}, json{{"tag", "x"}}, json{{"tag", "x"}, {"path", "relative"}},
                          json{{"tag", "x"}, {"path", "/nonexistent/dir"}}, json{{"tag", "a b"}, {"path", dir}},
                          json{{"tag", "x"}, {"path", dir}, {"cache", "loose"}},
                          json{{"tag", "x"}, {"path", dir}, {"readonly", "yes"}}}) {
    auto r = manager::parse_definition(
        json{{"name", "x"}, {"kernel", guest_dir() + "/Image"}, {"shares", json::array({bad})}}, start);
    EXPECT_FALSE(r) << bad.dump();
  }
  auto twice = manager::parse_definition(json{{"name", "x"},
                                              {"kernel", guest_dir() + "/Image"},
                                              {"shares", json::array({{{"tag", "t"}, {"path", dir}},
                                                                      {{"tag", "t"}, {"path", dir}}})}},
                                         start);
  ASSERT_FALSE(twice);
  EXPECT_NE(twice.error().message.find("used twice"), std::string::npos) << twice.error().message;
}

// virtio-mmio has room for 5 disks and NICs; more go on PCI, and the VMM gets bus=pci.
TEST(ManagerUnit, DrivesBeyondTheMmioSlotsGoOnPci) {
  const json drive{{"file", guest_dir() + "/Image"}, {"readonly", true}};
  json six = json::array();
  for (int i = 0; i < 6; ++i) six.push_back(drive);
  bool start = false;
  auto refused = manager::parse_definition(json{{"name", "d"}, {"kernel", guest_dir() + "/Image"}, {"drives", six}}, start);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("bus"), std::string::npos) << refused.error().message;

  json many = json::array();
  json on_pci = drive;
  on_pci["bus"] = "pci";
  for (int i = 0; i < 16; ++i) many.push_back(on_pci);
  auto d = manager::parse_definition(
      json{{"name", "d"}, {"kernel", guest_dir() + "/Image"}, {"drives", many},
           {"nets", json::array({{{"mode", "user"}, {"bus", "pci"}}, {{"mode", "user"}}})}},
      start);
  ASSERT_TRUE(d) << d.error().message;
  const json stored = manager::to_json(d.value());
  EXPECT_EQ(openapi().check_schema("VmConfig", stored), "");
  std::string joined;
  for (const auto& a : manager::to_vmm_args(d.value())) joined += a + " ";
  EXPECT_NE(joined.find(",readonly=on,bus=pci"), std::string::npos) << joined;
  EXPECT_NE(joined.find("--net user,bus=pci"), std::string::npos) << joined;
  auto bad = manager::parse_definition(
      json{{"name", "d"}, {"kernel", guest_dir() + "/Image"}, {"nets", json::array({{{"bus", "isa"}}})}}, start);
  EXPECT_FALSE(bad);
}

TEST(ManagerUnit, HugePagesAreOffUnlessTurnedOnAndMustBeABoolean) {
  bool start = false;
  auto d = manager::parse_definition(json{{"name", "a"}, {"kernel", guest_dir() + "/Image"}}, start);
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_FALSE(d.value().huge_pages);
  const auto args = manager::to_vmm_args(d.value());
  const auto at = std::find(args.begin(), args.end(), "--hugepages");
  ASSERT_NE(at, args.end());
  ASSERT_NE(at + 1, args.end());
  EXPECT_EQ(*(at + 1), "off");
  auto wrong = manager::parse_definition(json{{"name", "a"}, {"kernel", guest_dir() + "/Image"}, {"hugepages", "no"}},
                                         start);
  ASSERT_FALSE(wrong);
  EXPECT_NE(wrong.error().message.find("hugepages"), std::string::npos) << wrong.error().message;
}

TEST(ManagerUnit, CpuMustBeAProfile) {
  bool start = false;
  auto wrong = manager::parse_definition(json{{"name", "a"}, {"kernel", guest_dir() + "/Image"}, {"cpu", "rv32i"}}, start);
  ASSERT_FALSE(wrong);
  EXPECT_NE(wrong.error().message.find("cpu"), std::string::npos) << wrong.error().message;
  auto d = manager::parse_definition(json{{"name", "a"}, {"kernel", guest_dir() + "/Image"}}, start);
  ASSERT_TRUE(d) << d.error().message;
  const auto args = manager::to_vmm_args(d.value());
  EXPECT_EQ(std::find(args.begin(), args.end(), "--cpu"), args.end());  // the VMM's default
}

TEST(ManagerUnit, OpenApiValidatorCatchesViolations) {
  const auto& api = openapi();
  EXPECT_EQ(api.check_schema("Error", json{{"error", {{"code", "not_found"}, {"message", "m"}}}}), "");
  EXPECT_NE(api.check_schema("Error", json{{"error", {{"code", "no_such_code"}, {"message", "m"}}}}), "");
  EXPECT_NE(api.check_schema("Error", json{{"error", {{"code", "not_found"}}}}), "");
  EXPECT_NE(api.check_schema("Deleted", json{{"name", "a"}, {"deleted", true}, {"extra", 1}}), "");
  EXPECT_NE(api.check_schema("Deleted", json{{"name", 3}, {"deleted", true}}), "");
  EXPECT_NE(api.check_response("GET", "/v1/vms", 200, "application/json", R"({"vms":[{"name":"a"}]})"), "");
  EXPECT_EQ(api.check_response("GET", "/v1/vms", 200, "application/json", R"({"vms":[]})"), "");
}

}  // namespace
}  // namespace vessel::test
