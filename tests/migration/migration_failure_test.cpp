// Every failure leaves the source running as if nothing happened, and a destination that
// gives up says why and exits non-zero: a bad address, a destination that refuses the
// configuration, one that dies in the middle, a malformed stream. A paused VM migrates and
// stays paused.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include "control_client.h"
#include "migration/channel.h"
#include "migration/endpoint.h"
#include "migration/stream.h"
#include "migration_guest.h"

namespace vessel::test {
namespace {

using namespace std::chrono_literals;

// The source still counts, and says it runs.
void expect_still_running(GuestProcess& vm, const std::string& control_socket) {
  const long last = highest_count(vm.output());
  EXPECT_TRUE(vm.expect(count_line(last + 3), 60s)) << vm.output();
  EXPECT_EQ(control(control_socket, {{"op", "status"}}).value("state", ""), "running");
  EXPECT_FALSE(vm.wait_exit(0s).has_value());
}

TEST_F(MigrationGuest, BadDestinationsAreReportedAndTheSourceRunsOn) {
  auto vm = boot_source("jit");
  ASSERT_TRUE(vm->expect(count_line(3), 120s)) << vm->output();
  auto r = migrate(0, {{"to", "ftp:somewhere"}});
  EXPECT_FALSE(r.value("ok", true)) << r.dump();
  EXPECT_NE(r.value("error", "").find("bad migration address"), std::string::npos) << r.dump();
  r = migrate(0, {{"to", "unix:" + incoming_path(1)}, {"bandwidth", "fast"}});
  EXPECT_FALSE(r.value("ok", true)) << r.dump();
  r = migrate(0, {{"to", "unix:" + incoming_path(1)}, {"colour", "blue"}});
  EXPECT_NE(r.value("error", "").find("unknown field 'colour'"), std::string::npos) << r.dump();
  // Nobody listens there.
  r = migrate(0, {{"to", "unix:" + incoming_path(1)}});
  ASSERT_TRUE(r.value("ok", false)) << r.dump();
  const auto s = wait_phase(0, {"failed", "completed"}, 60s);
  EXPECT_EQ(s.value("phase", ""), "failed") << s.dump();
  EXPECT_NE(s.value("error", "").find("cannot connect"), std::string::npos) << s.dump();
  expect_still_running(*vm, control_path(0));
  EXPECT_TRUE(control(control_path(0), {{"op", "stop"}}).value("ok", false));
  EXPECT_EQ(vm->wait_exit(60s), 0);
}

TEST_F(MigrationGuest, MismatchedConfigurationIsRefusedBeforeMemoryMoves) {
  auto vm = boot_source("jit");
  ASSERT_TRUE(vm->expect(count_line(3), 120s)) << vm->output();
  auto dst = start_destination(1, {"--memory", "256M"});  // the source has 128M
  ASSERT_TRUE(migrate(0, {{"to", "unix:" + incoming_path(1)}}).value("ok", false));
  const auto s = wait_phase(0, {"failed", "completed"}, 60s);
  EXPECT_EQ(s.value("phase", ""), "failed") << s.dump();
  EXPECT_NE(s.value("error", "").find("refused the migration: configuration mismatch"), std::string::npos) << s.dump();
  EXPECT_EQ(s.value("pages_sent", 1), 0) << s.dump();
  EXPECT_EQ(dst->wait_exit(30s), 2) << dst->output();
  EXPECT_NE(dst->output().find("128 MiB of memory, this side was started with --memory 256 MiB"), std::string::npos)
      << dst->output();
  // A configuration the destination cannot build (its disk image is missing there) likewise.
  expect_still_running(*vm, control_path(0));
  EXPECT_TRUE(control(control_path(0), {{"op", "stop"}}).value("ok", false));
  EXPECT_EQ(vm->wait_exit(60s), 0);
}

TEST_F(MigrationGuest, DestinationDyingMidwayLeavesTheSourceRunning) {
  auto vm = boot_source("jit");
  ASSERT_TRUE(vm->expect(count_line(3), 120s)) << vm->output();
  {
    auto dst = start_destination(1);
    // Slow enough that the destination is still receiving when it is killed.
    ASSERT_TRUE(migrate(0, {{"to", "unix:" + incoming_path(1)}, {"bandwidth", "2M"}}).value("ok", false));
    const auto s = wait_phase(0, {"precopy", "failed", "completed"}, 60s);
    ASSERT_EQ(s.value("phase", ""), "precopy") << s.dump();
    dst->signal(SIGKILL);
    EXPECT_EQ(dst->wait_exit(30s), 128 + SIGKILL);
    const auto f = wait_phase(0, {"failed", "completed"}, 60s);
    EXPECT_EQ(f.value("phase", ""), "failed") << f.dump();
    EXPECT_NE(f.value("error", "").find("migration connection lost"), std::string::npos) << f.dump();
  }
  expect_still_running(*vm, control_path(0));
  // The source is intact: the next migration goes through.
  auto dst = start_destination(2);
  ASSERT_TRUE(migrate(0, {{"to", "unix:" + incoming_path(2)}}).value("ok", false));
  EXPECT_EQ(wait_phase(0, {"failed", "completed"}, 120s).value("phase", ""), "completed");
  EXPECT_EQ(vm->wait_exit(60s), 5) << vm->output();
  const long last = highest_count(vm->output());
  EXPECT_TRUE(dst->expect(count_line(last + 3), 60s)) << dst->output();
  EXPECT_TRUE(control(control_path(2), {{"op", "stop"}}).value("ok", false));
  EXPECT_EQ(dst->wait_exit(60s), 0);
}

TEST_F(MigrationGuest, MalformedStreamsAreRefusedWithAMessage) {
  using migration::RecordType;
  auto connect = [&](int n) {
    auto fd = migration::connect_endpoint(migration::parse_endpoint("unix:" + incoming_path(n)).value(), 5000);
    EXPECT_TRUE(fd) << fd.error();
    return std::make_unique<migration::Channel>(fd.value());
  };
  {
    auto dst = start_destination(1);
    auto ch = connect(1);
    const char junk[] = "this is not a migration stream at all";
    ASSERT_TRUE(ch->send(junk, sizeof junk));
    EXPECT_EQ(dst->wait_exit(30s), 1) << dst->output();
    EXPECT_NE(dst->output().find("not a Vessel migration stream"), std::string::npos) << dst->output();
  }
  {
    auto dst = start_destination(2);
    auto ch = connect(2);
    ASSERT_TRUE(migration::send_header(*ch));
    // A configuration record whose checksum does not match.
    const std::string conf = "{}";
    const uint8_t header[16] = {'C', 'O', 'N', 'F', 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0};
    const uint8_t sum[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    ASSERT_TRUE(ch->send(header, sizeof header));
    ASSERT_TRUE(ch->send(conf.data(), conf.size()));
    ASSERT_TRUE(ch->send(sum, sizeof sum));
    EXPECT_EQ(dst->wait_exit(30s), 1) << dst->output();
    EXPECT_NE(dst->output().find("checksum mismatch in record CONF"), std::string::npos) << dst->output();
  }
  {
    auto dst = start_destination(3);
    auto ch = connect(3);
    ASSERT_TRUE(migration::send_header(*ch));
    ASSERT_TRUE(migration::send_record(*ch, RecordType::Config, R"({"memory_bytes":"lots"})"));
    EXPECT_EQ(dst->wait_exit(30s), 2) << dst->output();
    EXPECT_NE(dst->output().find("configuration is not valid here"), std::string::npos) << dst->output();
  }
}

TEST_F(MigrationGuest, PausedVmArrivesPaused) {
  auto vm = boot_source("jit");
  ASSERT_TRUE(vm->expect(count_line(3), 120s)) << vm->output();
  ASSERT_TRUE(control(control_path(0), {{"op", "pause"}}).value("ok", false));
  auto dst = start_destination(1);
  ASSERT_TRUE(migrate(0, {{"to", "unix:" + incoming_path(1)}}).value("ok", false));
  EXPECT_EQ(wait_phase(0, {"failed", "completed"}, 120s).value("phase", ""), "completed");
  EXPECT_EQ(vm->wait_exit(60s), 5) << vm->output();
  ASSERT_TRUE(wait_for_vm(control_path(1), 30s));
  const auto st = control(control_path(1), {{"op", "status"}});
  EXPECT_EQ(st.value("state", ""), "paused") << st.dump();
  const uint64_t instructions = st.value("instructions", uint64_t{0});
  EXPECT_EQ(control(control_path(1), {{"op", "status"}}).value("instructions", uint64_t{1}), instructions)
      << "nothing runs while paused";
  ASSERT_TRUE(control(control_path(1), {{"op", "resume"}}).value("ok", false));
  const long last = highest_count(vm->output());
  EXPECT_TRUE(dst->expect(count_line(last + 3), 60s)) << dst->output();
  EXPECT_TRUE(control(control_path(1), {{"op", "stop"}}).value("ok", false));
  EXPECT_EQ(dst->wait_exit(60s), 0);
}

}  // namespace
}  // namespace vessel::test

namespace vessel::test {
namespace {

using namespace std::chrono_literals;

// A link slower than the guest dirties memory: rounds stop shrinking, the vCPUs are throttled
// step by step with the CPU cap, the migration ends after max_rounds, and the destination
// runs with the user's cap (none), not the throttle.
TEST_F(MigrationGuest, AutoConvergeThrottlesWhenRoundsStopShrinking) {
  auto vm = boot_source("jit");
  ASSERT_TRUE(vm->expect(count_line(3), 120s)) << vm->output();
  auto dst = start_destination(1);
  ASSERT_TRUE(migrate(0, {{"to", "unix:" + incoming_path(1)}, {"bandwidth", "8M"}, {"downtime_ms", 1},
                          {"max_rounds", 6}})
                  .value("ok", false));
  const auto done = wait_phase(0, {"failed", "completed"}, 300s);
  ASSERT_EQ(done.value("phase", ""), "completed") << done.dump();
  EXPECT_EQ(done.value("rounds", 0), 6) << done.dump();
  EXPECT_LT(done.value("throttle_min", 1.0), 1.0) << done.dump();
  EXPECT_EQ(vm->wait_exit(60s), 5) << vm->output();
  const long last = highest_count(vm->output());
  ASSERT_TRUE(dst->expect(count_line(last + 3), 60s)) << dst->output();
  const auto limits = control(control_path(1), {{"op", "limits"}});
  EXPECT_EQ(limits["limits"].value("cpu_cap", -1.0), 0.0) << limits.dump();
  EXPECT_TRUE(control(control_path(1), {{"op", "stop"}}).value("ok", false));
  EXPECT_EQ(dst->wait_exit(60s), 0);
}

}  // namespace
}  // namespace vessel::test

namespace vessel::test {
namespace {

using namespace std::chrono_literals;

// A free TCP port on the loopback (the kernel's choice; free again once closed).
int free_port() {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  (void)!bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  (void)!getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  close(fd);
  return ntohs(a.sin_port);
}

// The stream over TCP; a destination still waiting ends cleanly on a signal, and one given an
// address it cannot use says so.
TEST_F(MigrationGuest, OverTcpAndDestinationsThatNeverGetAStream) {
  {
    auto waiting = start_destination(1);
    waiting->signal(SIGTERM);
    EXPECT_TRUE(waiting->expect("incoming migration failed: stopped while waiting", 30s)) << waiting->output();
    EXPECT_EQ(waiting->wait_exit(30s), 128 + SIGTERM) << waiting->output();
  }
  {
    GuestProcess bad({vessel_bin(), "run", "--incoming", "tcp:127.0.0.1:http"});
    EXPECT_EQ(bad.wait_exit(30s), 2) << bad.output();
    EXPECT_NE(bad.output().find("port must be 1 to 65535"), std::string::npos) << bad.output();
    GuestProcess clash({vessel_bin(), "run", "--incoming", "unix:" + incoming_path(2), "--kernel", "x"});
    EXPECT_EQ(clash.wait_exit(30s), 2) << clash.output();
    EXPECT_NE(clash.output().find("--kernel cannot be used with --incoming"), std::string::npos) << clash.output();
  }
  auto vm = boot_source("jit");
  ASSERT_TRUE(vm->expect(count_line(3), 120s)) << vm->output();
  const std::string address = "tcp:127.0.0.1:" + std::to_string(free_port());
  auto dst = start_destination_at(3, address, {"--engine", "interp"});
  ASSERT_TRUE(migrate(0, {{"to", address}, {"compress", true}}).value("ok", false));
  EXPECT_EQ(wait_phase(0, {"failed", "completed"}, 120s).value("phase", ""), "completed");
  EXPECT_EQ(vm->wait_exit(60s), 5) << vm->output();
  const long last = highest_count(vm->output());
  EXPECT_TRUE(dst->expect(count_line(last + 3), 60s)) << dst->output();
  EXPECT_TRUE(control(control_path(3), {{"op", "stop"}}).value("ok", false));
  EXPECT_EQ(dst->wait_exit(60s), 0);
}

}  // namespace
}  // namespace vessel::test

namespace vessel::test {
namespace {

using namespace std::chrono_literals;

// The VM stops (here: the stop op; a guest power-off takes the same path) while it migrates:
// the source ends as asked, and the destination, whose stream breaks off, exits non-zero.
TEST_F(MigrationGuest, SourceStoppingMidwayEndsTheMigration) {
  auto vm = boot_source("jit");
  ASSERT_TRUE(vm->expect(count_line(3), 120s)) << vm->output();
  auto dst = start_destination(1);
  ASSERT_TRUE(migrate(0, {{"to", "unix:" + incoming_path(1)}, {"bandwidth", "2M"}}).value("ok", false));
  ASSERT_EQ(wait_phase(0, {"precopy", "failed", "completed"}, 60s).value("phase", ""), "precopy");
  EXPECT_TRUE(control(control_path(0), {{"op", "stop"}}).value("ok", false));
  EXPECT_EQ(vm->wait_exit(60s), 0) << vm->output();
  EXPECT_EQ(dst->wait_exit(60s), 1) << dst->output();
  EXPECT_NE(dst->output().find("incoming migration failed"), std::string::npos) << dst->output();
}

}  // namespace
}  // namespace vessel::test
