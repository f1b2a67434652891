// POST /v1/vms/{name}/migrate {"migrate_disks": true} and `vessel vm migrate --migrate-disks`:
// the VM's writable disk is copied into the new VM's own directory while it runs, the new
// definition points at the copy, the guest reads there what it wrote before the move, and
// the source's image is left as it was.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "manager/daemon_fixture.h"
#include "support/guest_process.h"

namespace vessel::test {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

std::string read_head(const std::string& path, size_t n) {
  std::ifstream f(path, std::ios::binary);
  std::string s(n, '\0');
  f.read(s.data(), static_cast<std::streamsize>(n));
  s.resize(static_cast<size_t>(f.gcount()));
  return s;
}

TEST(ManagerMigrate, MigrateDisksCopiesTheDiskIntoTheNewVmsDirectory) {
  Daemon d;
  d.start();
  const std::string images = d.state_dir() + "/../images";
  fs::create_directories(images);
  const std::string disk = fs::canonical(images).string() + "/data.raw";
  {
    std::ofstream f(disk, std::ios::binary);
    f << "untouched-by-the-guest";
  }
  fs::resize_file(disk, 16ull << 20);
  json body = d.guest_vm("copier");
  body["start"] = true;
  body["drives"] = json::array({{{"file", disk}, {"format", "raw"}}});
  auto r = d.api("POST", "/v1/vms", body);
  ASSERT_EQ(r.status, 201) << r.body;
  {
    ConsoleStream con(d.socket(), "copier");
    ASSERT_TRUE(con.expect("VESSEL-GUEST-READY", 120s)) << con.output();
    // Sector 0 and a block 8 MiB in, written with direct I/O so they are on the disk now.
    con.send("printf 'written-before-the-move\\n' > /tmp/s; dd if=/tmp/s of=/dev/vda bs=512 count=1 conv=sync "
             "oflag=direct 2>/dev/null; dd if=/tmp/s of=/dev/vda bs=512 count=1 seek=16384 conv=sync oflag=direct "
             "2>/dev/null; echo wr\"\"ote\n");
    ASSERT_TRUE(con.expect("wrote", 30s)) << con.output();
  }
  EXPECT_EQ(d.api("POST", "/v1/vms/copier/migrate", json{{"to", "x"}, {"migrate_disks", "yes"}}).status, 400);

  r = d.api("POST", "/v1/vms/copier/migrate", json{{"to", "copied"}, {"migrate_disks", true}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_GT(r.json.value("disk_bytes_sent", 0), 0) << r.body;
  const std::string copy = fs::canonical(d.state_dir()).string() + "/vms/copied/data.raw";
  EXPECT_EQ(r.json["vm"]["config"]["drives"][0].value("file", ""), copy) << r.body;
  const auto moved = d.api("GET", "/v1/vms/copied");
  EXPECT_EQ(moved.json["config"]["drives"][0].value("file", ""), copy) << moved.body;
  ASSERT_TRUE(fs::exists(copy));
  EXPECT_EQ(fs::file_size(copy), 16ull << 20);
  EXPECT_EQ(read_head(copy, 23), "written-before-the-move");
  // The source's image is still there with what the guest wrote before the pause.
  EXPECT_EQ(read_head(disk, 23), "written-before-the-move");
  {
    ConsoleStream con(d.socket(), "copied");
    ASSERT_TRUE(con.expect("VESSEL-GUEST-READY", 30s)) << con.output();
    con.send("echo 3 > /proc/sys/vm/drop_caches; dd if=/dev/vda bs=512 skip=16384 count=1 iflag=direct 2>/dev/null "
             "| head -c 23; echo; echo after > /tmp/s; dd if=/tmp/s of=/dev/vda bs=512 count=1 conv=sync oflag=direct "
             "2>/dev/null; echo wr\"\"ote-again\n");
    EXPECT_TRUE(con.expect("written-before-the-move", 30s)) << con.output();
    EXPECT_TRUE(con.expect("wrote-again", 30s)) << con.output();
  }
  // The copy is the VM's disk now; the old image no longer changes.
  EXPECT_EQ(read_head(copy, 5), "after");
  EXPECT_EQ(read_head(disk, 23), "written-before-the-move");

  // The CLI moves it once more; the previous copy goes with the old VM's directory.
  const std::string cmd =
      vessel_cli_bin() + " vm --socket " + d.socket() + " migrate copied --to copied2 --migrate-disks 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  ASSERT_NE(p, nullptr);
  std::string out;
  std::array<char, 4096> buf;
  for (size_t n; (n = fread(buf.data(), 1, buf.size(), p)) > 0;) out.append(buf.data(), n);
  const int st = pclose(p);
  EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) << out;
  const std::string copy2 = fs::canonical(d.state_dir()).string() + "/vms/copied2/data.raw";
  EXPECT_EQ(d.api("GET", "/v1/vms/copied2").json["config"]["drives"][0].value("file", ""), copy2);
  EXPECT_EQ(read_head(copy2, 5), "after");
  EXPECT_FALSE(fs::exists(copy));
  EXPECT_EQ(d.api("POST", "/v1/vms/copied2/kill", json::object()).status, 200);
}

// Between two daemons (as two hosts without shared storage): the copy lands in the receiving
// daemon's directory for the VM, and its definition, as the answer shows it, names it.
TEST(ManagerMigrate, MigrateDisksToAnotherDaemon) {
  Daemon a, b;
  a.start();
  b.start();
  const std::string images = a.state_dir() + "/../images";
  fs::create_directories(images);
  const std::string disk = fs::canonical(images).string() + "/roaming.raw";
  std::ofstream(disk).close();
  fs::resize_file(disk, 8ull << 20);
  json body = a.guest_vm("roamer");
  body["start"] = true;
  body["drives"] = json::array({{{"file", disk}, {"format", "raw"}}});
  ASSERT_EQ(a.api("POST", "/v1/vms", body).status, 201);
  {
    ConsoleStream con(a.socket(), "roamer");
    ASSERT_TRUE(con.expect("VESSEL-GUEST-READY", 120s)) << con.output();
    con.send("printf 'carried-to-b\\n' > /tmp/s; dd if=/tmp/s of=/dev/vda bs=512 count=1 conv=sync oflag=direct "
             "2>/dev/null; echo wr\"\"ote\n");
    ASSERT_TRUE(con.expect("wrote", 30s)) << con.output();
  }
  auto r = a.api("POST", "/v1/vms/roamer/migrate", json{{"to", "unix:" + b.socket()}, {"migrate_disks", true}});
  ASSERT_EQ(r.status, 200) << r.body;
  const std::string copy = fs::canonical(b.state_dir()).string() + "/vms/roamer/roaming.raw";
  EXPECT_EQ(r.json["vm"]["config"]["drives"][0].value("file", ""), copy) << r.body;
  EXPECT_EQ(b.api("GET", "/v1/vms/roamer").json["config"]["drives"][0].value("file", ""), copy);
  EXPECT_EQ(read_head(copy, 12), "carried-to-b");
  EXPECT_EQ(a.api("GET", "/v1/vms/roamer").status, 404);
  EXPECT_EQ(b.api("POST", "/v1/vms/roamer/kill", json::object()).status, 200);
}

}  // namespace
}  // namespace vessel::test
