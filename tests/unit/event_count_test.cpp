// EventCount (common/event_count.h): a notification after the epoch was read is never lost,
// whether it comes before the waiter sleeps or while it sleeps, and it wakes every waiter.
#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "common/event_count.h"

namespace vessel {
namespace {

TEST(EventCount, NotifyBeforeWaitIsNotLost) {
  EventCount events;
  const uint64_t seen = events.epoch();
  events.notify();
  events.wait(seen);  // returns at once: something changed since `seen`
  EXPECT_NE(events.epoch(), seen);
}

TEST(EventCount, WakesEveryWaiter) {
  EventCount events;
  std::atomic<bool> ready{false};
  std::atomic<int> woken{0};
  std::vector<std::thread> waiters;
  const uint64_t seen = events.epoch();
  for (int i = 0; i < 4; ++i)
    waiters.emplace_back([&] {
      // The condition-then-sleep pattern the harts use: check, then wait for a change.
      while (!ready.load()) events.wait(seen);
      woken.fetch_add(1);
    });
  ready.store(true);
  events.notify();
  for (auto& t : waiters) t.join();
  EXPECT_EQ(woken.load(), 4);
}

}  // namespace
}  // namespace vessel
