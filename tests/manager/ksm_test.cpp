// vesseld --ksm: the host's KSM is turned on and every VMM's guest RAM is offered to it
// (MADV_MERGEABLE, seen as "mg" in /proc/PID/smaps); the VM's figures report what KSM merged.
// The host's KSM settings are put back afterwards. Skips where KSM is missing or not writable.
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "manager/daemon_fixture.h"

namespace vessel::test {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The flags of the mapping `size_kib` large, in /proc/PID/smaps.
std::string flags_of_mapping(pid_t pid, uint64_t size_kib) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/smaps");
  bool in_it = false;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("Size:", 0) == 0) in_it = std::stoull(line.substr(5)) == size_kib;
    if (in_it && line.rfind("VmFlags:", 0) == 0) return line;
  }
  return "";
}

class KsmSettings {
 public:
  KsmSettings() : run_(read_text(kDir + "run")), pages_(read_text(kDir + "pages_to_scan")) {}
  ~KsmSettings() {
    std::ofstream(kDir + "pages_to_scan") << pages_;
    std::ofstream(kDir + "run") << run_;
  }
  static inline const std::string kDir = "/sys/kernel/mm/ksm/";

 private:
  std::string run_, pages_;
};

TEST(ManagerKsm, GuestRamIsOfferedToKsmAndMergedPagesAreReported) {
  if (access("/sys/kernel/mm/ksm/run", W_OK) != 0) GTEST_SKIP() << "no writable /sys/kernel/mm/ksm (no KSM, or not root)";
  KsmSettings restore;
  Daemon d;
  d.start({"--ksm", "250"});
  EXPECT_EQ(read_text(KsmSettings::kDir + "run"), "1\n");
  EXPECT_EQ(read_text(KsmSettings::kDir + "pages_to_scan"), "250\n");
  json vm = d.guest_vm("k1");
  vm["start"] = true;
  auto r = d.api("POST", "/v1/vms", vm);
  ASSERT_EQ(r.status, 201) << r.body;
  // The VMM's own pid: under a jail, `pid` is its keeper's.
  const pid_t pid = r.json.contains("jail") ? r.json["jail"].value("vmm_pid", 0) : r.json.value("pid", 0);
  ASSERT_GT(pid, 0);
  EXPECT_NE(flags_of_mapping(pid, 128 * 1024).find(" mg"), std::string::npos) << flags_of_mapping(pid, 128 * 1024);
  auto show = d.api("GET", "/v1/vms/k1");
  if (access(("/proc/" + std::to_string(pid) + "/ksm_merging_pages").c_str(), R_OK) == 0) {
    EXPECT_TRUE(show.json.contains("ksm_merging_bytes")) << show.body;
  }
  EXPECT_EQ(d.api("POST", "/v1/vms/k1/kill", std::string()).status, 200);
}

}  // namespace
}  // namespace vessel::test
