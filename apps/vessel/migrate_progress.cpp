// `vessel vm migrate`'s progress bar: while the daemon migrates the VM (one long POST), a
// terminal shows what the source VMM reports through GET /v1/vms/NAME/migration: the share
// of guest memory sent in the first round, the round, bytes sent, the dirty rate and time.
#include <unistd.h>

#include <algorithm>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <thread>

#include "api_call.h"
#include "vm_command.h"

namespace vessel::cli {
namespace {

void draw(const json& s, double memory_bytes) {
  const double pages = s.value("pages_sent", 0.0) + s.value("zero_pages", 0.0);
  double fraction = memory_bytes > 0 ? std::min(1.0, pages * 4096 / memory_bytes) : 0;
  // While disks are copied (--migrate-disks) the bar follows the disks: blocks gone of all blocks.
  if (s.value("phase", std::string()) == "disk-copy" && s.value("disk_bytes", 0.0) > 0)
    fraction = std::min(1.0, s.value("disk_scanned_bytes", 0.0) / s.value("disk_bytes", 0.0));
  constexpr int kWidth = 24;
  const int filled = static_cast<int>(fraction * kWidth);
  std::string bar(static_cast<size_t>(filled), '#');
  bar.resize(kWidth, '.');
  fprintf(stderr, "\r\033[K[%s] %3.0f%%  round %d  %s sent  dirty %s/s  %.1fs  %s", bar.c_str(), fraction * 100,
          s.value("rounds", 0), human_bytes(s.value("bytes_sent", 0.0)).c_str(),
          human_bytes(s.value("dirty_rate", 0.0)).c_str(), s.value("total_ms", 0.0) / 1e3,
          s.value("phase", std::string()).c_str());
  fflush(stderr);
}

}  // namespace

std::optional<json> migrate_with_progress(const Common& c, const std::string& name, const json& body) {
  const std::string vm = "/v1/vms/" + name;
  if (!isatty(STDERR_FILENO) || c.json_output) return call(c, "POST", vm + "/migrate", body);
  auto target = daemon_target(c);
  if (!target) return call(c, "POST", vm + "/migrate", body);  // prints the error
  double memory = 0;
  if (auto r = http::http_request(target.value(), "GET", vm, {}, std::chrono::seconds(10)); r && r->status == 200) {
    const json j = json::parse(r->body, nullptr, false);
    if (j.is_object()) memory = j.value("memory_bytes", 0.0);
  }
  std::mutex m;
  std::condition_variable cv;
  bool done = false;
  std::optional<json> result;
  std::thread mover([&] {
    auto r = call(c, "POST", vm + "/migrate", body);
    std::lock_guard lock(m);
    result = std::move(r);
    done = true;
    cv.notify_all();
  });
  bool drawn = false;
  std::unique_lock lock(m);
  while (!cv.wait_for(lock, std::chrono::milliseconds(250), [&] { return done; })) {
    lock.unlock();
    auto r = http::http_request(target.value(), "GET", vm + "/migration", {}, std::chrono::seconds(2));
    if (r && r->status == 200) {
      const json s = json::parse(r->body, nullptr, false);
      if (s.is_object() && s.value("phase", "") != "none") {
        draw(s, memory);
        drawn = true;
      }
    }
    lock.lock();
  }
  lock.unlock();
  mover.join();
  if (drawn) fprintf(stderr, "\r\033[K");
  return result;
}

}  // namespace vessel::cli
