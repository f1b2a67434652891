// The source side of a live migration (docs/design.md, "Live migration"), on a thread of its
// own: configuration first (the destination refuses a mismatch before anything moves), all
// of RAM, rounds of dirtied pages until the rest fits the downtime limit at the measured
// bandwidth (throttling the vCPUs with the CPU cap when rounds stop shrinking), then pause,
// the last pages and the CPU and device state. The VM stops for good (VmExit::Migrated) only
// once the destination has acknowledged; every failure before that resumes it unchanged.
#pragma once
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "common/result.h"

namespace vessel::migration {
class Channel;
}

namespace vessel::vmm {

class VirtualMachine;
class DiskCopySource;

struct MigrationParams {
  std::string to;              // tcp:HOST:PORT or unix:PATH
  uint64_t downtime_ms = 300;  // the longest pause acceptable (QEMU's default too)
  uint64_t bandwidth = 0;      // bytes per second; 0 = unlimited
  bool compress = false;       // zstd for page data
  unsigned max_rounds = 30;    // then stop and copy whatever is left
  bool migrate_disks = false;  // copy the writable disks too (disk_copy_source.h)
};

class OutgoingMigration {
 public:
  OutgoingMigration(VirtualMachine& vm, MigrationParams params);
  ~OutgoingMigration();  // aborts a migration in progress (the VM keeps running) and joins
  Result<bool> start();
  bool active() const { return active_.load(); }
  // Between the pause for the last pages and the end: the pause belongs to the migration.
  bool holds_pause() const { return holds_pause_.load(); }
  nlohmann::json status() const;

 private:
  void run();
  Result<bool> migrate();
  Result<bool> send_pages(const std::vector<uint64_t>& pages, bool full_pass);
  Result<bool> stop_and_copy(const std::vector<uint64_t>& remaining_hint);
  void set_phase(const char* phase);
  void throttle_harder();
  void restore_cap();

  VirtualMachine& vm_;
  MigrationParams params_;
  std::unique_ptr<migration::Channel> channel_;
  std::unique_ptr<DiskCopySource> disks_;  // with migrate_disks
  nlohmann::json disk_list_;               // what DRVS says
  std::thread thread_;
  std::atomic<bool> active_{false}, cancel_{false}, holds_pause_{false};
  double original_cap_ = 0;
  double throttle_ = 1.0;  // fraction of the vCPUs' time still allowed (auto-converge)
  double throttle_min_ = 1.0;  // the strongest throttle applied

  mutable std::mutex mutex_;  // guards what status() reports
  std::string phase_ = "setup", error_;
  unsigned rounds_ = 0;
  uint64_t pages_sent_ = 0, zero_pages_ = 0, dirty_pages_ = 0;
  double dirty_rate_ = 0, bandwidth_ = 0, expected_downtime_ms_ = 0, downtime_ms_ = 0, total_ms_ = 0;
  uint64_t started_ns_ = 0;
};

}  // namespace vessel::vmm
