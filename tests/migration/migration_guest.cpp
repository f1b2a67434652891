#include "migration_guest.h"

#include <unistd.h>

#include <filesystem>
#include <regex>
#include <thread>

#include "control_client.h"
#include "support/cpio_archive.h"

namespace vessel::test {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

// Counts on the console while rewriting 4 MiB of tmpfs (page cache) with new content each
// step; every 10 counts it prints the checksum of a file written once at the start.
// With a disk, each count is also written to its first sector (and synced); with more than
// one hart, the others spin in busy loops.
constexpr const char* kScript = R"(
head -c 1048576 /dev/urandom > /tmp/kept
for j in $(seq 2 $(nproc)); do (while true; do x=$((x+1)); done) & done
i=0
while true; do
  echo C$i
  yes "$i dirty" | head -c 4194304 > /tmp/dirty
  if [ $((i % 10)) -eq 0 ]; then echo K=$(md5sum /tmp/kept | cut -c1-32) U=$(cut -d' ' -f1 /proc/uptime); fi
  if [ -b /dev/vda ]; then printf "disk %08d\n" $i | dd of=/dev/vda conv=notrunc 2>/dev/null; sync; fi
  i=$((i+1))
  usleep 10000
done
)";

}  // namespace

void MigrationGuest::SetUp() {
  guest_ = guest_dir();
  ASSERT_TRUE(fs::exists(guest_ + "/Image")) << "no test guest";
  dir_ = testing::TempDir() + "/vessel-mig-" + std::to_string(getpid()) + "-" +
         testing::UnitTest::GetInstance()->current_test_info()->name();
  fs::remove_all(dir_);
  fs::create_directories(dir_);
  initrd_ = dir_ + "/initramfs.cpio.gz";
  ASSERT_TRUE(compose_initramfs(guest_ + "/initramfs.cpio.gz",
                                {{"etc", 040755, ""}, {"etc/run", 040755, ""}, {"etc/run/count.sh", 0100755, kScript}},
                                initrd_));
}

void MigrationGuest::TearDown() { fs::remove_all(dir_); }

std::unique_ptr<GuestProcess> MigrationGuest::boot_source(const std::string& engine, std::vector<std::string> extra) {
  std::vector<std::string> a = {vessel_bin(), "run",    "--kernel", guest_ + "/Image", "--initrd", initrd_,
                                "--append",   "console=ttyS0 quiet run=count",  "--memory", "128M",
                                "--engine",   engine,   "--control", control_path(0)};
  a.insert(a.end(), extra.begin(), extra.end());
  auto g = std::make_unique<GuestProcess>(a);
  EXPECT_TRUE(wait_for_vm(control_path(0), 60s)) << g->output();
  return g;
}

std::unique_ptr<GuestProcess> MigrationGuest::start_destination(int n, std::vector<std::string> extra) {
  return start_destination_at(n, "unix:" + incoming_path(n), std::move(extra));
}

std::unique_ptr<GuestProcess> MigrationGuest::start_destination_at(int n, const std::string& address,
                                                                   std::vector<std::string> extra) {
  std::vector<std::string> a = {vessel_bin(), "run", "--incoming", address, "--control", control_path(n)};
  a.insert(a.end(), extra.begin(), extra.end());
  auto g = std::make_unique<GuestProcess>(a);
  EXPECT_TRUE(g->expect("waiting for an incoming migration", 30s)) << g->output();
  return g;
}

nlohmann::json MigrationGuest::migrate(int from, nlohmann::json request) {
  request["op"] = "migrate";
  return control(control_path(from), request);
}

nlohmann::json MigrationGuest::wait_phase(int n, const std::vector<std::string>& phases, std::chrono::seconds timeout) {
  const auto end = std::chrono::steady_clock::now() + timeout;
  nlohmann::json s;
  while (std::chrono::steady_clock::now() < end) {
    s = control(control_path(n), {{"op", "migrate-status"}});
    if (s.is_object())
      for (const auto& p : phases)
        if (s.value("phase", "") == p) return s;
    std::this_thread::sleep_for(20ms);  // a polling interval, not a synchronisation
  }
  return s;
}

std::string guest_text(const std::string& output) {
  static const std::regex host_line(R"(vessel( run)?: [^\n]*\n)");
  return std::regex_replace(output, host_line, "");
}

std::vector<long> counts(const std::string& text) {
  static const std::regex count(R"(\bC(\d+)\r?\n)");
  std::vector<long> out;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), count); it != std::sregex_iterator(); ++it)
    out.push_back(std::stol((*it)[1]));
  return out;
}

long highest_count(const std::string& output) {
  const auto c = counts(guest_text(output));
  return c.empty() ? -1 : *std::max_element(c.begin(), c.end());
}

std::string count_line(long n) {
  char b[32];  // snprintf: GCC 12 warns (-Wrestrict) about "C" + std::to_string(n) at -O2
  snprintf(b, sizeof b, "C%ld\r\n", n);
  return b;
}

std::vector<double> uptimes(const std::string& text) {
  static const std::regex up(R"( U=(\d+\.\d+))");
  std::vector<double> out;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), up); it != std::sregex_iterator(); ++it)
    out.push_back(std::stod((*it)[1]));
  return out;
}

std::vector<std::string> checksums(const std::string& text) {
  static const std::regex sum(R"(K=([0-9a-f]{32}))");
  std::vector<std::string> out;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), sum); it != std::sregex_iterator(); ++it)
    out.push_back((*it)[1]);
  return out;
}

}  // namespace vessel::test
