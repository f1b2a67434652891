#include "vmm/migration_source.h"
#include "common/thread_kind.h"

#include <sys/mman.h>
#include <unistd.h>

#include "common/log.h"
#include "common/timebase.h"
#include "migration/channel.h"
#include "migration/endpoint.h"
#include "migration/page_codec.h"
#include "migration/stream.h"
#include "snapshot/snapshot_file.h"
#include "vmm/disk_copy_source.h"
#include "snapshot/state_stream.h"
#include "vmm/virtual_machine.h"
#include "vmm/vm_config_json.h"

namespace vessel::vmm {
namespace {

using migration::RecordType;
constexpr int kConnectTimeoutMs = 10'000;
constexpr int kBuildTimeoutMs = 60'000;  // the destination opens disks and maps memory
constexpr int kAckTimeoutMs = 60'000;
// Auto-converge: a round "did not shrink" when it left at least this share of the previous
// round's dirty pages; two such rounds in a row throttle the vCPUs one step further.
constexpr double kShrinkRatio = 0.9;
constexpr double kThrottleSteps[] = {0.5, 0.3, 0.2, 0.1, 0.05};
constexpr uint64_t kFewPages = 64;  // sent during the pause in well under a millisecond

double seconds_since(uint64_t ns) { return static_cast<double>(Timebase::host_ns() - ns) / 1e9; }

// Untouched pages of an anonymous mapping are not resident and read as zero: the full pass
// sends them as zero markers without reading (and so faulting in) each one.
void absent_pages(const uint8_t* host, uint64_t first, size_t n, std::vector<unsigned char>& out) {
  out.assign(n, 0);
  std::vector<unsigned char> v(n);
  if (sysconf(_SC_PAGESIZE) != static_cast<long>(migration::kPageBytes) ||
      mincore(const_cast<uint8_t*>(host + first * migration::kPageBytes), n * migration::kPageBytes, v.data()) != 0)
    return;
  for (size_t i = 0; i < n; ++i) out[i] = !(v[i] & 1);
}

}  // namespace

OutgoingMigration::OutgoingMigration(VirtualMachine& vm, MigrationParams params)
    : vm_(vm), params_(std::move(params)) {}

OutgoingMigration::~OutgoingMigration() {
  cancel_ = true;
  {
    std::lock_guard lock(mutex_);
    if (channel_) channel_->abort();
  }
  if (thread_.joinable()) thread_.join();
}

Result<bool> OutgoingMigration::start() {
  if (auto e = migration::parse_endpoint(params_.to); !e) return Error{e.error()};
  if (params_.migrate_disks) {
    // Checked here so that the migrate request itself answers a disk that cannot be copied.
    disks_ = std::make_unique<DiskCopySource>(vm_);
    auto list = disks_->describe();
    if (!list) return Error{list.error()};
    disk_list_ = std::move(list.value());
  }
  active_ = true;
  started_ns_ = Timebase::host_ns();
  original_cap_ = vm_.cpu_budget().cap();
  thread_ = std::thread([this] {
    enter_thread_kind(ThreadKind::Migration);
    run();
  });
  return true;
}

void OutgoingMigration::set_phase(const char* phase) {
  std::lock_guard lock(mutex_);
  phase_ = phase;
}

nlohmann::json OutgoingMigration::status() const {
  std::lock_guard lock(mutex_);
  nlohmann::json j{{"ok", true},
                   {"phase", phase_},
                   {"to", params_.to},
                   {"rounds", rounds_},
                   {"bytes_sent", channel_ ? channel_->bytes_sent() : 0},
                   {"pages_sent", pages_sent_},
                   {"zero_pages", zero_pages_},
                   {"dirty_pages", dirty_pages_},
                   {"dirty_rate", static_cast<uint64_t>(dirty_rate_)},
                   {"bandwidth", static_cast<uint64_t>(bandwidth_)},
                   {"expected_downtime_ms", expected_downtime_ms_},
                   {"throttle", throttle_},
                   {"throttle_min", throttle_min_},
                   {"compress", params_.compress},
                   {"total_ms", total_ms_ ? total_ms_ : seconds_since(started_ns_) * 1e3}};
  j["migrate_disks"] = params_.migrate_disks;
  if (disks_) disks_->report(j);
  if (phase_ == "completed") j["downtime_ms"] = downtime_ms_;
  if (!error_.empty()) j["error"] = error_;
  return j;
}

void OutgoingMigration::run() {
  auto r = migrate();
  restore_cap();
  if (disks_) disks_->stop_tracking();
  {
    std::lock_guard lock(mutex_);
    total_ms_ = seconds_since(started_ns_) * 1e3;
    if (r) {
      phase_ = "completed";
    } else {
      phase_ = cancel_ ? "cancelled" : "failed";
      error_ = r.error();
    }
  }
  if (r) {
    LOG_INFO("migration to %s completed: %u rounds, downtime %.1f ms", params_.to.c_str(), rounds_, downtime_ms_);
    vm_.stop(VmExit::Migrated);
  } else {
    LOG_WARN("migration to %s failed, the VM keeps running here: %s", params_.to.c_str(), r.error().c_str());
  }
  active_ = false;
}

void OutgoingMigration::restore_cap() {
  if (throttle_ < 1.0) vm_.cpu_budget().set_cap(original_cap_);
  throttle_ = 1.0;
}

void OutgoingMigration::throttle_harder() {
  double next = throttle_;
  for (double step : kThrottleSteps)
    if (step < throttle_) {
      next = step;
      break;
    }
  if (next == throttle_) return;
  // The cap is a share of one host core for the whole VM; without a cap the VM may use one core per hart.
  const double base = original_cap_ > 0 ? original_cap_ : static_cast<double>(vm_.vcpu_count());
  vm_.cpu_budget().set_cap(base * next);
  std::lock_guard lock(mutex_);
  throttle_ = next;
  throttle_min_ = std::min(throttle_min_, next);
  LOG_INFO("migration: rounds stopped shrinking; vCPUs throttled to %.0f %%", next * 100);
}

Result<bool> OutgoingMigration::send_pages(const std::vector<uint64_t>& pages, bool full_pass) {
  migration::PageEncoder encoder(params_.compress);
  migration::PageBatch batch;
  const memory::GuestRam& ram = vm_.board().as.ram();
  std::vector<unsigned char> absent;
  for (size_t at = 0; at < pages.size(); at += migration::kPagesPerRecord) {
    if (cancel_ || vm_.stopping()) return Error{"the VM stopped during the migration"};
    const size_t n = std::min(migration::kPagesPerRecord, pages.size() - at);
    if (full_pass) absent_pages(ram.host(), pages[at], n, absent);
    encoder.encode(ram.host(), pages.data() + at, n, full_pass ? absent.data() : nullptr, batch);
    if (auto r = migration::send_record(*channel_, RecordType::Pages, {{batch.payload.data(), batch.payload.size()}}); !r)
      return r;
    std::lock_guard lock(mutex_);
    pages_sent_ += batch.data_pages;
    zero_pages_ += batch.zero_pages;
  }
  return true;
}

Result<bool> OutgoingMigration::migrate() {
  const auto endpoint = migration::parse_endpoint(params_.to);
  auto fd = migration::connect_endpoint(endpoint.value(), kConnectTimeoutMs);
  if (!fd) return Error{fd.error()};
  {
    std::lock_guard lock(mutex_);
    channel_ = std::make_unique<migration::Channel>(fd.value());
    channel_->set_bandwidth(params_.bandwidth);
    if (cancel_) channel_->abort();
  }
  migration::Channel& ch = *channel_;
  if (auto r = migration::send_header(ch); !r) return r;
  if (auto r = migration::receive_header(ch, kBuildTimeoutMs); !r) return Error{"destination: " + r.error()};
  // With disk copy the destination learns first what to create (and refuses if it cannot).
  if (disks_)
    if (auto r = migration::send_record(ch, RecordType::Disks, disk_list_.dump()); !r) return r;
  // The configuration first: a destination that cannot or will not build it says so now.
  if (auto r = migration::send_record(ch, RecordType::Config, config_to_json(vm_.current_config()).dump()); !r)
    return r;
  auto answer = migration::receive_record(ch, kBuildTimeoutMs);
  if (!answer) return Error{answer.error()};
  if (answer->type == static_cast<uint32_t>(RecordType::Refuse))
    return Error{"the destination refused the migration: " + answer->text()};
  if (answer->type != static_cast<uint32_t>(RecordType::Ready))
    return Error{"the destination answered " + migration::record_name(answer->type) + " instead of READY"};

  if (disks_) {
    // Tracking first: a block the guest writes while the copy reads it is sent again.
    set_phase("disk-copy");
    disks_->start_tracking();
    if (auto r = disks_->send_all(ch, cancel_); !r) return r;
  }
  set_phase("precopy");
  const uint64_t total_pages = vm_.board().as.ram().size() / migration::kPageBytes;
  std::vector<uint64_t> pages;
  vm_.harvest_dirty(pages);  // from here on every write is logged
  pages.resize(total_pages);
  for (uint64_t p = 0; p < total_pages; ++p) pages[p] = p;
  uint64_t round_start = Timebase::host_ns(), round_bytes_start = ch.bytes_sent();
  uint64_t data_pages_start = 0;
  if (auto r = send_pages(pages, true); !r) return r;
  uint64_t previous_dirty = total_pages;
  unsigned stalled = 0;
  for (;;) {
    const double round_s = std::max(seconds_since(round_start), 1e-6);
    const uint64_t round_bytes = ch.bytes_sent() - round_bytes_start;
    uint64_t round_data_pages;
    {
      std::lock_guard lock(mutex_);
      round_data_pages = pages_sent_ - data_pages_start;
      data_pages_start = pages_sent_;
    }
    pages.clear();
    vm_.harvest_dirty(pages);
    const uint64_t disk_pending = disks_ ? (disks_->harvest(), disks_->pending_bytes()) : 0;
    // What a page with data costs on the wire (compression makes it less than a page; zero
    // pages cost next to nothing, and dirtied pages rarely are zero), and what the rest would
    // take at the bandwidth just measured.
    const double bandwidth = static_cast<double>(round_bytes) / round_s;
    const double per_page = round_data_pages
                                ? std::min(static_cast<double>(round_bytes) / static_cast<double>(round_data_pages),
                                           static_cast<double>(migration::kPageBytes + 64))
                                : static_cast<double>(migration::kPageBytes);
    const double expected_ms = (static_cast<double>(pages.size()) * per_page + static_cast<double>(disk_pending)) /
                               std::max(bandwidth, 1.0) * 1e3;
    {
      std::lock_guard lock(mutex_);
      ++rounds_;
      bandwidth_ = bandwidth;
      dirty_pages_ = pages.size();
      dirty_rate_ = static_cast<double>(pages.size() * migration::kPageBytes) / round_s;
      expected_downtime_ms_ = expected_ms;
    }
    // Within the limit: stop, unless rounds still halve the rest (each costs little and makes
    // the pause shorter still) and it is more than a few pages.
    const bool halving = static_cast<double>(pages.size()) < 0.5 * static_cast<double>(previous_dirty);
    if (expected_ms <= static_cast<double>(params_.downtime_ms) && (!halving || pages.size() <= kFewPages)) break;
    if (rounds_ >= params_.max_rounds) break;
    if (static_cast<double>(pages.size()) >= kShrinkRatio * static_cast<double>(previous_dirty)) {
      if (++stalled >= 2) {
        throttle_harder();
        stalled = 0;
      }
    } else {
      stalled = 0;
    }
    previous_dirty = pages.size();
    round_start = Timebase::host_ns();
    round_bytes_start = ch.bytes_sent();
    if (auto r = send_pages(pages, false); !r) return r;
    if (disks_)
      if (auto r = disks_->send_pending(ch, cancel_); !r) return r;
    snapshot::StateWriter w;
    w.u32(rounds_);
    w.u64(pages.size());
    if (auto r = migration::send_record(ch, RecordType::Round, {{w.data().data(), w.data().size()}}); !r) return r;
  }
  // Written back while the guest still runs, the flush during the pause is only what the
  // guest writes from now on (the host's page cache may hold many MiB of its writes).
  if (auto r = vm_.flush_drives(); !r) return r;
  return stop_and_copy(pages);
}

Result<bool> OutgoingMigration::stop_and_copy(const std::vector<uint64_t>& dirty) {
  set_phase("stop-copy");
  const uint64_t paused_at = Timebase::host_ns();
  const bool was_paused = vm_.paused();
  holds_pause_ = true;
  vm_.pause();
  if (vm_.stopping()) return Error{"the VM stopped during the migration"};
  const bool io_was_running = vm_.stop_io();
  restore_cap();  // the state and the destination carry the user's cap, not the throttle
  bool committed = false;
  auto back_out = [&] {  // anything failed before the destination took over: continue here
    if (committed) return;
    if (io_was_running) vm_.start_io();
    holds_pause_ = false;
    if (!was_paused) vm_.resume();
  };
  auto fail = [&](const std::string& why) -> Result<bool> {
    back_out();
    return Error{why};
  };
  // The disks are shared: everything the guest wrote must be in the files before the
  // destination opens them.
  if (auto r = vm_.flush_drives(); !r) return fail(r.error());
  std::vector<uint64_t> pages = dirty;
  vm_.harvest_dirty(pages);  // the harts are parked: this is the last of it
  std::sort(pages.begin(), pages.end());
  pages.erase(std::unique(pages.begin(), pages.end()), pages.end());
  if (auto r = send_pages(pages, false); !r) return fail(r.error());
  if (disks_) {
    // The I/O thread is stopped and the disks flushed: these are the guest's last writes here.
    disks_->harvest();
    if (auto r = disks_->send_pending(*channel_, cancel_, true); !r) return fail(r.error());
  }
  // CPU and devices: the very sections a snapshot holds, in a snapshot container in memory.
  const auto parts = vm_.save_components();
  std::vector<snapshot::SectionView> views;
  for (const auto& [tag, data] : parts) views.push_back({tag, data.data(), data.size()});
  const std::vector<uint8_t> state = snapshot::encode_snapshot_image(views);
  if (auto r = migration::send_record(*channel_, RecordType::State, {{state.data(), state.size()}}); !r)
    return fail(r.error());
  snapshot::StateWriter extra;  // what a snapshot leaves out: the console's history, the paused state
  extra.boolean(was_paused);
  extra.string(vm_.console().history());
  if (auto r = migration::send_record(*channel_, RecordType::Extra, {{extra.data().data(), extra.data().size()}}); !r)
    return fail(r.error());
  if (auto r = migration::send_record(*channel_, RecordType::End); !r) return fail(r.error());
  auto ack = migration::receive_record(*channel_, kAckTimeoutMs);
  if (!ack) return fail("no acknowledgement from the destination: " + ack.error());
  if (ack->type == static_cast<uint32_t>(RecordType::Refuse))
    return fail("the destination refused the migration: " + ack->text());
  if (ack->type != static_cast<uint32_t>(RecordType::Ack))
    return fail("the destination answered " + migration::record_name(ack->type) + " instead of ACK");
  // GO: from here the destination runs the VM. If GO cannot be sent the destination never
  // resumes (it exits), so the VM continues here instead.
  if (auto r = migration::send_record(*channel_, RecordType::Go); !r) return fail(r.error());
  committed = true;
  std::lock_guard lock(mutex_);
  downtime_ms_ = seconds_since(paused_at) * 1e3;
  return true;
}

}  // namespace vessel::vmm
