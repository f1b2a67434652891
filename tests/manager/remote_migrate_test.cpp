// Live migration between two vesselds over mutual TLS (as on two hosts sharing storage: the
// same disk image path): the VM moves there and back, its processes keep counting and its
// disk writes are in the image; a read-only certificate cannot move it; a destination that
// dies mid-way leaves it running at the source, and the destination forgets it.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <atomic>
#include <fstream>
#include <regex>
#include <thread>

#include "manager/control_client.h"
#include "manager/process_info.h"
#include "manager/remote_fixture.h"

namespace vessel::test {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// The guest's counter (/tmp/count, one step a second), read through its console.
long read_counter(ConsoleStream& con) {
  con.send("echo CNT\"\"-$(cat /tmp/count)-\"\"END\n");
  if (!con.expect("-END", 30s)) return -1;
  static const std::regex re(R"(CNT-(\d+)-END)");
  long last = -1;
  const std::string& out = con.output();
  for (auto it = std::sregex_iterator(out.begin(), out.end(), re); it != std::sregex_iterator(); ++it)
    last = std::stol((*it)[1]);
  return last;
}

// Waits until the counter passes `above`; returns the value seen (or -1).
long counter_passes(ConsoleStream& con, long above, std::chrono::seconds timeout) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    const long v = read_counter(con);
    if (v > above || Clock::now() >= deadline) return v > above ? v : -1;
    std::this_thread::sleep_for(500ms);  // the counter steps once a second
  }
}

std::string sector(const std::string& disk, int n) {
  std::ifstream f(disk, std::ios::binary);
  f.seekg(n * 512);
  std::string s(16, '\0');
  f.read(s.data(), 16);
  return s.substr(0, s.find('\n'));
}

struct TwoHosts {
  explicit TwoHosts(const std::string& pki_dir) : pki(pki_dir) {}
  void start() {
    ASSERT_TRUE(pki.ok) << pki.error;
    a.start({"--listen", "127.0.0.1:0", "--tls-dir", pki.ca});
    b.start({"--listen", "127.0.0.1:0", "--tls-dir", pki.peer});
    port_a = tls_port(a);
    port_b = tls_port(b);
    ASSERT_NE(port_a, 0u);
    ASSERT_NE(port_b, 0u);
  }
  Daemon a, b;
  Pki pki;
  unsigned port_a = 0, port_b = 0;
};

TEST(ManagerRemote, VmMigratesToAnotherDaemonOverTlsAndBack) {
  Daemon scratch;  // owns the directory for the certificates and the shared disk
  TwoHosts h(scratch.dir() + "/pki");
  h.start();
  if (HasFatalFailure()) return;
  const std::string disk = scratch.dir() + "/shared.raw";
  {
    std::ofstream f(disk, std::ios::binary);
    f << std::string(1 << 20, '\0');
  }
  json body = h.a.guest_vm("roamer");
  body["drives"] = json::array({{{"file", disk}, {"format", "raw"}}});
  body["start"] = true;
  ASSERT_EQ(h.a.api("POST", "/v1/vms", body).status, 201);
  long before = 0;
  {
    ConsoleStream con(h.a.socket(), "roamer");
    ASSERT_TRUE(con.expect("VESSEL-GUEST-READY", 120s)) << con.output();
    con.send("(i=0; while true; do i=$((i+1)); echo $i > /tmp/count; sleep 1; done) &\n");
    con.send("printf 'written-on-a\\n' | dd of=/dev/vda bs=512 seek=0 conv=notrunc 2>/dev/null; sync\n");
    before = counter_passes(con, 2, 60s);
    ASSERT_GT(before, 2) << con.output();
  }
  EXPECT_EQ(sector(disk, 0), "written-on-a");

  // A read-only certificate may look but not move it.
  auto ro = remote_api(tls_target(h.port_a, h.pki.reader), "POST", "/v1/vms/roamer/migrate",
                       json{{"to", https_url(h.port_b)}});
  EXPECT_EQ(ro.status, 403) << ro.error << ro.body;
  EXPECT_EQ(h.a.api("GET", "/v1/vms/roamer").json.value("state", ""), "running");
  // Bad destinations are refused before anything moves.
  EXPECT_EQ(h.a.api("POST", "/v1/vms/roamer/migrate", json{{"to", "https://127.0.0.1:0"}}).status, 400);
  EXPECT_EQ(h.a.api("POST", "/v1/vms/roamer/migrate", json{{"to", "https://127.0.0.1:" + std::to_string(h.port_b)}, {"name", 5}}).status, 400);

  // There: asked through A's Unix socket, A talks to B with its host certificate.
  const auto started = Clock::now();
  auto r = h.a.api("POST", "/v1/vms/roamer/migrate", json{{"to", https_url(h.port_b)}, {"downtime_ms", 100}});
  const double wall_ms = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json.value("daemon", ""), https_url(h.port_b));
  printf("[ metric ] A->B over TLS: API call %.0f ms, migration total %.0f ms, downtime %.1f ms, %d rounds, %.1f MiB\n",
         wall_ms, r.json.value("total_ms", 0.0), r.json.value("downtime_ms", 0.0), r.json.value("rounds", 0),
         r.json.value("bytes_sent", 0.0) / 1048576.0);
  EXPECT_EQ(h.a.api("GET", "/v1/vms/roamer").status, 404) << "the source forgot it";
  const auto there = h.b.api("GET", "/v1/vms/roamer");
  EXPECT_EQ(there.json.value("state", ""), "running") << there.body;
  EXPECT_EQ(there.json["config"]["drives"][0].value("file", ""), disk) << "the definition moved with it";
  long on_b = 0;
  {
    // B's console over TLS this time (history, then live output, input typed to the guest).
    ConsoleStream con(tls_target(h.port_b, h.pki.ca), ConsoleStream::ApiPath{"/v1/vms/roamer/console"});
    ASSERT_TRUE(con.ok());
    EXPECT_TRUE(con.expect("VESSEL-GUEST-READY", 30s)) << "the console history came along\n" << con.output();
    on_b = counter_passes(con, before, 60s);
    EXPECT_GT(on_b, before) << con.output();
    con.send("printf 'written-on-b\\n' | dd of=/dev/vda bs=512 seek=1 conv=notrunc 2>/dev/null; sync\n");
    on_b = counter_passes(con, on_b, 60s);
  }
  EXPECT_EQ(sector(disk, 1), "written-on-b");

  // And back, with the CLI talking to B over TLS (B then talks to A with its own host
  // certificate).
  CliResult cli = run_cli({"vm", "--remote", https_url(h.port_b), "--tls-dir", h.pki.ca, "migrate", "roamer", "--to",
                           https_url(h.port_a)});
  ASSERT_EQ(cli.status, 0) << cli.output;
  EXPECT_NE(cli.output.find("migrated roamer to " + https_url(h.port_a)), std::string::npos) << cli.output;
  EXPECT_NE(cli.output.find("downtime "), std::string::npos) << cli.output;
  EXPECT_EQ(h.b.api("GET", "/v1/vms/roamer").status, 404);
  EXPECT_EQ(h.a.api("GET", "/v1/vms/roamer").json.value("state", ""), "running");
  {
    ConsoleStream con(h.a.socket(), "roamer");
    EXPECT_GT(counter_passes(con, on_b, 60s), on_b) << con.output();
    // Both sectors, read back from the disk by the guest (its cache dropped first).
    con.send("echo 3 > /proc/sys/vm/drop_caches; dd if=/dev/vda bs=1024 count=1 2>/dev/null | tr '\\0' ' ' | tr -s ' '; echo\n");
    EXPECT_TRUE(con.expect("written-on-a", 30s)) << con.output();
    EXPECT_TRUE(con.expect("written-on-b", 30s)) << con.output();
  }
  EXPECT_EQ(h.a.api("POST", "/v1/vms/roamer/kill", json::object()).status, 200);
}

TEST(ManagerRemote, SourceKeepsTheVmWhenTheDestinationDiesMidway) {
  Daemon scratch;
  TwoHosts h(scratch.dir() + "/pki");
  h.start();
  if (HasFatalFailure()) return;
  json body = h.a.guest_vm("steady");
  body["start"] = true;
  ASSERT_EQ(h.a.api("POST", "/v1/vms", body).status, 201);
  ConsoleStream con(h.a.socket(), "steady");
  ASSERT_TRUE(con.expect("VESSEL-GUEST-READY", 120s)) << con.output();
  // 48 MiB that do not compress, so that at 4 MiB/s the move takes seconds.
  con.send("dd if=/dev/urandom of=/tmp/fill bs=1M count=48 2>/dev/null; echo FILL\"\"ED\n");
  ASSERT_TRUE(con.expect("FILLED", 120s)) << con.output();
  con.send("(i=0; while true; do i=$((i+1)); echo $i > /tmp/count; sleep 1; done) &\n");
  const long before = counter_passes(con, 1, 60s);
  ASSERT_GT(before, 1);

  ApiResponse result;
  std::thread mover([&] {
    result = h.a.api("POST", "/v1/vms/steady/migrate", json{{"to", https_url(h.port_b)}, {"bandwidth", "4M"}});
  });
  // Mid-way: B has the VM waiting and A's VMM has sent a few MiB.
  const std::string source_ctl = h.a.state_dir() + "/vms/steady/ctl";
  pid_t vmm_b = -1;
  uint64_t sent_at_kill = 0;
  const auto deadline = Clock::now() + 60s;
  for (; Clock::now() < deadline; std::this_thread::sleep_for(50ms)) {  // polling both daemons' progress
    if (vmm_b < 0) {
      auto there = h.b.api("GET", "/v1/vms/steady");
      if (there.status == 200 && there.json.contains("pid")) vmm_b = there.json["pid"].get<pid_t>();
      continue;
    }
    auto s = manager::control_request(source_ctl, {{"op", "migrate-status"}}, 2s);
    if (s && s->value("bytes_sent", uint64_t{0}) > (8u << 20)) {
      sent_at_kill = s->value("bytes_sent", uint64_t{0});
      break;
    }
  }
  ASSERT_GT(vmm_b, 0) << "the destination never showed the incoming VM";
  ASSERT_GT(sent_at_kill, 0u) << "the migration never got 8 MiB far";
  const auto vmm_b_id = manager::ProcessId{vmm_b, manager::process_start_time(vmm_b).value_or(0)};
  // The destination host goes: its daemon and the VMM receiving the VM.
  h.b.kill9();
  if (manager::process_alive(vmm_b_id)) ::kill(vmm_b, SIGKILL);
  mover.join();
  EXPECT_GE(result.status, 500) << result.body;
  printf("[ info ] killed the destination after %.1f MiB; the source answered %d: %s\n", sent_at_kill / 1048576.0,
         result.status, result.json.is_object() ? result.json["error"].value("message", "").c_str() : "");
  EXPECT_EQ(h.a.api("GET", "/v1/vms/steady").json.value("state", ""), "running") << "the VM stays at the source";
  EXPECT_GT(counter_passes(con, before + 1, 60s), before + 1) << con.output();

  // The destination comes back and forgets the VM that never arrived.
  h.b.start({"--listen", "127.0.0.1:0", "--tls-dir", h.pki.peer});
  const auto gone_by = Clock::now() + 30s;
  int status = 200;
  for (; Clock::now() < gone_by && (status = h.b.api("GET", "/v1/vms/steady").status) != 404;
       std::this_thread::sleep_for(50ms)) {  // its watcher runs every 200 ms
  }
  EXPECT_EQ(status, 404) << "the half-arrived VM stays at the destination";
  EXPECT_EQ(h.a.api("POST", "/v1/vms/steady/kill", json::object()).status, 200);
}

// Clients reading the progress (GET .../migration, as `vessel vm migrate` does on a terminal)
// while the daemon follows the move: one of them may read the source VMM's final report
// first, after which it exits; the daemon must still see the move succeed, not undo it.
TEST(ManagerRemote, ProgressReadersDoNotConfuseTheMove) {
  Daemon scratch;
  TwoHosts h(scratch.dir() + "/pki");
  h.start();
  if (HasFatalFailure()) return;
  json body = h.a.guest_vm("watched");
  body["start"] = true;
  ASSERT_EQ(h.a.api("POST", "/v1/vms", body).status, 201);
  {
    ConsoleStream con(h.a.socket(), "watched");
    ASSERT_TRUE(con.expect("VESSEL-GUEST-READY", 120s)) << con.output();
  }
  for (int i = 0; i < 6; ++i) {
    Daemon& from = i % 2 ? h.b : h.a;
    Daemon& to = i % 2 ? h.a : h.b;
    const unsigned to_port = i % 2 ? h.port_a : h.port_b;
    std::atomic<bool> done{false};
    std::atomic<int> reads{0};
    std::vector<std::thread> readers;
    for (int t = 0; t < 3; ++t)
      readers.emplace_back([&] {
        while (!done) {  // as fast as it goes: the race is with the daemon's own 20 ms poll
          if (http::http_request(from.socket(), "GET", "/v1/vms/watched/migration", {}, 5s)) ++reads;
        }
      });
    auto r = http::http_request(from.socket(), "POST", "/v1/vms/watched/migrate",
                                json{{"to", https_url(to_port)}}.dump(), 120s);
    done = true;
    for (auto& t : readers) t.join();
    ASSERT_TRUE(r) << r.error();
    ASSERT_EQ(r->status, 200) << "move " << i << ": " << r->body;
    EXPECT_GT(reads.load(), 0);
    EXPECT_EQ(to.api("GET", "/v1/vms/watched").json.value("state", ""), "running") << "move " << i;
    EXPECT_EQ(from.api("GET", "/v1/vms/watched").status, 404) << "move " << i;
  }
  EXPECT_EQ(h.a.api("POST", "/v1/vms/watched/kill", json::object()).status, 200);
}

// Both daemons are killed (kill -9) mid-way: the stream runs VMM to VMM and finishes without
// them. Restarted, the destination finds its receiving VMM running the VM and keeps it; the
// source finds its VMM gone, asks the destination it recorded, and forgets the VM.
TEST(ManagerRemote, BothDaemonsMayDieMidway) {
  Daemon scratch;
  TwoHosts h(scratch.dir() + "/pki");
  h.start();
  if (HasFatalFailure()) return;
  json body = h.a.guest_vm("orphan");
  body["start"] = true;
  auto created = h.a.api("POST", "/v1/vms", body);
  ASSERT_EQ(created.status, 201);
  const pid_t vmm_a = created.json.value("pid", 0);
  ASSERT_GT(vmm_a, 0) << created.body;
  const manager::ProcessId vmm_a_id{vmm_a, manager::process_start_time(vmm_a).value_or(0)};
  long before = 0;
  {
    ConsoleStream con(h.a.socket(), "orphan");
    ASSERT_TRUE(con.expect("VESSEL-GUEST-READY", 120s)) << con.output();
    con.send("dd if=/dev/urandom of=/tmp/fill bs=1M count=32 2>/dev/null; echo FILL\"\"ED\n");
    ASSERT_TRUE(con.expect("FILLED", 120s)) << con.output();
    con.send("(i=0; while true; do i=$((i+1)); echo $i > /tmp/count; sleep 1; done) &\n");
    before = counter_passes(con, 1, 60s);
    ASSERT_GT(before, 1);
  }
  // The call is made with the plain client: its daemon dies under it.
  std::thread mover([&] {
    (void)http::http_request(h.a.socket(), "POST", "/v1/vms/orphan/migrate",
                             json{{"to", https_url(h.port_b)}, {"bandwidth", "8M"}}.dump());
  });
  const std::string source_ctl = h.a.state_dir() + "/vms/orphan/ctl";
  bool under_way = false;
  for (const auto deadline = Clock::now() + 60s; Clock::now() < deadline && !under_way;
       std::this_thread::sleep_for(50ms)) {  // polling the source VMM's progress
    auto s = manager::control_request(source_ctl, {{"op", "migrate-status"}}, 2s);
    under_way = s && s->value("bytes_sent", uint64_t{0}) > (4u << 20);
  }
  ASSERT_TRUE(under_way);
  h.a.kill9();
  h.b.kill9();
  mover.join();
  // The source VMM exits (status 5) once the VM runs at the destination.
  const auto gone_by = Clock::now() + 120s;
  while (manager::process_alive(vmm_a_id) && Clock::now() < gone_by) std::this_thread::sleep_for(50ms);
  ASSERT_FALSE(manager::process_alive(vmm_a_id)) << "the migration did not finish without its daemons";

  h.b.start({"--listen", "127.0.0.1:" + std::to_string(h.port_b), "--tls-dir", h.pki.peer});
  h.a.start({"--listen", "127.0.0.1:0", "--tls-dir", h.pki.ca});
  const auto there = h.b.api("GET", "/v1/vms/orphan");
  EXPECT_EQ(there.json.value("state", ""), "running") << there.body;
  int status = 0;
  for (const auto deadline = Clock::now() + 30s;
       Clock::now() < deadline && (status = h.a.api("GET", "/v1/vms/orphan").status) != 404;
       std::this_thread::sleep_for(50ms)) {  // the source's watcher asks the destination
  }
  EXPECT_EQ(status, 404) << "the source still lists the VM that runs at the destination";
  {
    ConsoleStream con(h.b.socket(), "orphan");
    EXPECT_GT(counter_passes(con, before, 60s), before) << con.output();
  }
  // Still B's to manage: a destination that kept the "incoming" mark would drop it here.
  EXPECT_EQ(h.b.api("POST", "/v1/vms/orphan/pause", json::object()).status, 200);
  EXPECT_EQ(h.b.api("POST", "/v1/vms/orphan/kill", json::object()).status, 200);
  EXPECT_EQ(h.b.api("GET", "/v1/vms/orphan").json.value("state", ""), "stopped") << "kept, stopped, not dropped";
}

}  // namespace
}  // namespace vessel::test
