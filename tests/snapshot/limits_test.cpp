// Rate limiting and CPU budget building blocks, option parsing and the configuration JSON
// a snapshot carries.
#include <gtest/gtest.h>
#include <poll.h>

#include "common/rate_limiter.h"
#include "common/timebase.h"
#include "common/token_bucket.h"
#include "vmm/cpu_budget.h"
#include "vmm/device_spec.h"
#include "vmm/vm_config_json.h"

namespace vessel {
namespace {

constexpr uint64_t kSec = 1'000'000'000;

TEST(TokenBucket, PassesTheRateAndRepaysDebt) {
  TokenBucket b;
  b.set_rate(1000, 0);  // 1000 units/s, bucket of 100
  EXPECT_TRUE(b.ready(0));
  b.consume(600);  // a request larger than the bucket still goes, into debt
  EXPECT_FALSE(b.ready(0));
  // 500 units of debt (+1 for the next request) take just over half a second to repay.
  const uint64_t wait = b.ns_until_ready(0);
  EXPECT_GT(wait, kSec / 2);
  EXPECT_LT(wait, kSec / 2 + kSec / 100);
  EXPECT_FALSE(b.ready(wait - kSec / 100));
  EXPECT_TRUE(b.ready(wait));
  // Idle time refills at most one bucket (a tenth of a second's worth): no saved-up bursts.
  b.consume(50);
  EXPECT_TRUE(b.ready(100 * kSec));
  b.consume(100);
  EXPECT_FALSE(b.ready(100 * kSec));
}

TEST(TokenBucket, ZeroIsUnlimited) {
  TokenBucket b;
  EXPECT_TRUE(b.unlimited());
  b.consume(1ull << 40);
  EXPECT_TRUE(b.ready(0));
  EXPECT_EQ(b.ns_until_ready(0), 0u);
}

TEST(RateLimiter, ThrottlesAndArmsItsTimer) {
  RateLimiter l;
  EXPECT_TRUE(l.admit(1 << 30)) << "unlimited by default";
  l.set({1000, 0});
  l.clear_timer();  // set() arms the timer so a waiting device re-checks
  EXPECT_TRUE(l.admit(5000));
  EXPECT_FALSE(l.admit(1)) << "in debt";
  EXPECT_EQ(l.throttled(), 1u);
  // The timer fires when the debt is repaid (about 4 s here): not yet.
  pollfd p{l.timer_fd(), POLLIN, 0};
  EXPECT_EQ(poll(&p, 1, 50), 0);
  // Lifting the limit takes effect at once and wakes the device.
  l.set({0, 0});
  EXPECT_EQ(poll(&p, 1, 1000), 1);
  EXPECT_TRUE(l.admit(1));
  EXPECT_EQ(l.limits().bytes_per_s, 0u);
}

TEST(RateLimiter, OpsLimit) {
  RateLimiter l;
  l.set({0, 10});  // 10 requests/s: a bucket of one request
  EXPECT_TRUE(l.admit(0));
  EXPECT_FALSE(l.admit(0));
  EXPECT_EQ(l.limits().ops_per_s, 10u);
}

TEST(DeviceSpecLimits, DriveAndNetOptions) {
  auto d = vmm::parse_drive("file=/x.raw,bps=10M,iops=200");
  ASSERT_TRUE(d) << d.error();
  EXPECT_EQ(d->bps, 10u << 20);
  EXPECT_EQ(d->iops, 200u);
  auto n = vmm::parse_net("user,bps=1K,pps=50");
  ASSERT_TRUE(n) << n.error();
  EXPECT_EQ(n->bps, 1024u);
  EXPECT_EQ(n->pps, 50u);
  for (const char* bad : {"file=/x,bps=", "file=/x,bps=ten", "file=/x,iops=5X", "file=/x,bps=1MB", "file=/x,bps=-1"}) {
    auto r = vmm::parse_drive(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_NE(r.error().find("must be a number"), std::string::npos) << r.error();
  }
  EXPECT_FALSE(vmm::parse_net("user,pps=x"));
  EXPECT_FALSE(vmm::parse_rate("99999999999999999999"));
}

TEST(ConfigJson, RoundTrip) {
  vmm::VmConfig c;
  c.kernel = "/k";
  c.initrd = "/i";
  c.append = "console=ttyS0";
  c.memory_bytes = 512ull << 20;
  c.cpus = 4;
  c.cpu_cap = 0.5;
  auto d = vmm::parse_drive("file=/d.qcow2,format=qcow2,readonly=on,serial=abc,bps=1M,iops=9");
  ASSERT_TRUE(d);
  c.drives.push_back(d.value());
  auto n = vmm::parse_net("user,hostfwd=tcp::2222-:22,mac=52:54:00:00:00:01,bps=5,pps=6");
  ASSERT_TRUE(n) << n.error();
  c.nets.push_back(n.value());
  auto back = vmm::config_from_json(vmm::config_to_json(c));
  ASSERT_TRUE(back) << back.error();
  EXPECT_EQ(vmm::config_to_json(back.value()), vmm::config_to_json(c));
  EXPECT_EQ(back->drives[0].iops, 9u);
  EXPECT_EQ(back->nets[0].hostfwds.size(), 1u);
  EXPECT_EQ(back->nets[0].hostfwds[0].host_port, 2222);

  auto j = vmm::config_to_json(c);
  j["cpus"] = 0;
  EXPECT_FALSE(vmm::config_from_json(j));
  j = vmm::config_to_json(c);
  j["drives"][0]["file"] = 5;
  EXPECT_FALSE(vmm::config_from_json(j));
  EXPECT_FALSE(vmm::config_from_json(nlohmann::json::array()));
}

// The ISA is part of the machine: it round-trips, a snapshot from before --cpu existed
// restores as rv64gc, and an unknown profile is refused.
TEST(ConfigJson, CpuProfile) {
  vmm::VmConfig c;
  c.cpu = riscv::CpuProfile::Rva23;
  auto back = vmm::config_from_json(vmm::config_to_json(c));
  ASSERT_TRUE(back) << back.error();
  EXPECT_EQ(back->cpu, riscv::CpuProfile::Rva23);
  auto j = vmm::config_to_json(c);
  EXPECT_EQ(j["cpu"], "rva23");
  j.erase("cpu");
  back = vmm::config_from_json(j);
  ASSERT_TRUE(back) << back.error();
  EXPECT_EQ(back->cpu, riscv::CpuProfile::Rv64gc);
  j["cpu"] = "rva99";
  EXPECT_FALSE(vmm::config_from_json(j));
  j["cpu"] = 3;
  EXPECT_FALSE(vmm::config_from_json(j));
}

TEST(CpuBudget, OverBudgetSleepsUntilTheNextSliceUnlessInterrupted) {
  vmm::CpuBudget b(1);
  b.set_cap(0.01);  // 100 us per 10 ms slice
  const auto spin = [] {
    const uint64_t until = vmm::CpuBudget::thread_cpu_ns() + 2'000'000;
    while (vmm::CpuBudget::thread_cpu_ns() < until) {
    }
  };
  b.charge(0, [] { return false; });  // baseline
  spin();
  const uint64_t t0 = Timebase::host_ns();
  b.charge(0, [] { return true; });  // interrupted: returns at once
  EXPECT_LT(Timebase::host_ns() - t0, 5'000'000u);
  spin();
  const uint64_t t1 = Timebase::host_ns();
  b.charge(0, [] { return false; });  // 4 ms used against 0.1 ms per slice: sleeps for slices
  EXPECT_GE(Timebase::host_ns() - t1, 5'000'000u);
  EXPECT_GT(b.throttled_ns(), 0u);
  b.set_cap(0);
  const uint64_t t2 = Timebase::host_ns();
  spin();
  b.charge(0, [] { return false; });
  EXPECT_LT(Timebase::host_ns() - t2, 50'000'000u) << "uncapped never sleeps";
}

}  // namespace
}  // namespace vessel
