// The Debian trixie guest under vesseld: created through the REST API with a cloud-init
// NoCloud seed made by the daemon, reached over ssh as the user the seed creates, stopped
// through the API with a console attached that has stopped reading (as the VMM exits, such a
// client is cut off after a second, so this test does not look for the last console lines).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "debian/debian_guest.h"
#include "manager/daemon_fixture.h"

namespace vessel::test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
namespace fs = std::filesystem;

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST(DebianUnderVesseld, CloudInitSeedsHostnameUserAndFiles) {
  std::string why;
  const DebianImage image = find_debian_image(why);
  if (image.dir.empty()) GTEST_SKIP() << why;
  Daemon d;
  d.start();
  const std::string overlay = make_overlay(image, d.dir());
  ASSERT_FALSE(overlay.empty());
  const int port = free_port();
  const std::string user_data = d.dir() + "/user-data.yaml";
  {
    std::ofstream f(user_data);
    f << "#cloud-config\n"
         "users:\n"
         "  - name: tester\n"
         "    shell: /bin/bash\n"
         "    ssh_authorized_keys:\n"
         "      - " << read_file(image.ssh_key() + ".pub") <<
         "write_files:\n"
         "  - path: /etc/vessel-seeded\n"
         "    content: from-the-seed\n";
  }
  const json body{{"name", "trixie"},
                  {"cpus", 2},
                  {"memory", "1G"},
                  {"kernel", image.kernel()},
                  {"initrd", image.initrd()},
                  {"cmdline", image.cmdline},
                  {"drives", json::array({{{"file", overlay}}})},
                  {"nets", json::array({{{"mode", "user"},
                                         {"hostfwd", json::array({"tcp:127.0.0.1:" + std::to_string(port) + "-:22"})}}})},
                  {"cloud_init", user_data},
                  {"start", true}};
  const auto created = d.api("POST", "/v1/vms", body);
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(created.json["config"].value("cloud_init_seed", ""), d.state_dir() + "/vms/trixie/cidata.iso")
      << created.body;
  ASSERT_TRUE(d.wait_state("trixie", "running", 30s));

  ConsoleStream console(d.socket(), "trixie");
  ASSERT_TRUE(console.ok());
  // cloud-init names the host after the VM before getty logs root in on the console.
  ASSERT_TRUE(console.expect("root@trixie", 600s)) << console.output();
  SshResult r;
  r = ssh_run(image, port, "tester", "systemctl is-system-running --wait; hostname; id -un; cat /etc/vessel-seeded",
              600s);
  EXPECT_EQ(r.status, 0) << r.output;
  for (const char* want : {"running\n", "trixie\n", "tester\n", "from-the-seed"})
    EXPECT_NE(r.output.find(want), std::string::npos) << want << " not in:\n" << r.output;

  const auto stop = d.api("POST", "/v1/vms/trixie/stop", json{{"timeout_seconds", 300}});
  ASSERT_EQ(stop.status, 200) << stop.body;
  EXPECT_FALSE(stop.json.value("forced", true)) << "the guest did not power off by itself: " << stop.body;
  EXPECT_TRUE(d.wait_state("trixie", "stopped", 300s));
  EXPECT_EQ(d.api("GET", "/v1/vms/trixie").json.value("last_exit", ""), "poweroff");
}

TEST(DebianUnderVesseld, CloudInitUserDataMustBeRecognisable) {
  Daemon d;
  d.start();
  const std::string user_data = d.dir() + "/not-cloud-config.txt";
  std::ofstream(user_data) << "hostname: nope\n";
  const auto r = d.api("POST", "/v1/vms",
                       json{{"name", "bad"}, {"kernel", guest_dir() + "/Image"}, {"cloud_init", user_data}});
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_NE(r.body.find("#cloud-config"), std::string::npos) << r.body;
  EXPECT_EQ(d.api("GET", "/v1/vms/bad").status, 404);
}

}  // namespace
}  // namespace vessel::test
