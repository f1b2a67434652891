// virtio-balloon: the host sets a target; the driver inflates by handing over guest pages,
// which we return to the host (MADV_DONTNEED: RSS drops), and deflates by taking them back
// (they refault as zero pages). The statistics queue keeps the driver's latest report. Free
// page reporting (VIRTIO_BALLOON_F_REPORTING): the guest also reports the large blocks it
// frees (2 MiB and up, a few seconds after), which go back to the host at once, without a
// target.
#pragma once
#include <atomic>
#include <map>
#include <mutex>
#include <optional>

#include "devices/virtio/virtio_device.h"

namespace vessel::devices::virtio {

class BalloonDevice : public VirtioDevice {
 public:
  static constexpr uint64_t kPageSize = 4096;  // balloon PFNs are always 4 KiB units

  uint32_t device_id() const override { return 5; }
  const char* name() const override { return "balloon"; }
  uint64_t device_features() const override;
  // inflateq, deflateq, statsq, reporting_vq (the free page hinting queue is not offered,
  // so the reporting queue is the fourth)
  unsigned num_queues() const override { return 4; }
  void read_config(uint64_t offset, uint8_t* data, unsigned len) override;
  void write_config(uint64_t offset, const uint8_t* data, unsigned len) override;
  bool activate(const ActiveState& state, std::string& error) override;
  void reset() override;
  bool process_queue(unsigned q) override;

  // Host side (any thread). The driver follows through a config-change interrupt.
  void set_target_bytes(uint64_t bytes);
  uint64_t target_bytes() const { return uint64_t{target_pages_.load()} * kPageSize; }
  uint64_t actual_bytes() const { return uint64_t{actual_pages_.load()} * kPageSize; }
  // Asks the driver for fresh statistics; returns the last report (tag -> value).
  std::map<uint16_t, uint64_t> stats();
  uint64_t pages_returned_to_host() const { return returned_.load(); }
  uint64_t pages_reported_free() const { return reported_.load(); }
  // Snapshot: target, actual, last statistics and the held statistics buffer (balloon_persist.cpp).
  void save_state(snapshot::StateWriter& out) override;
  bool restore_state(snapshot::StateReader& in) override;

 private:
  bool handle_pages(unsigned q, const Chain& chain);
  void handle_report(const Chain& chain);

  ActiveState state_;
  std::atomic<uint32_t> target_pages_{0}, actual_pages_{0};
  std::atomic<uint64_t> returned_{0}, reported_{0};
  std::mutex stats_mutex_;
  std::map<uint16_t, uint64_t> last_stats_;
  std::optional<uint16_t> stats_head_;  // the driver's stats buffer, held until we want a refresh
};

}  // namespace vessel::devices::virtio
