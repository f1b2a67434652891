// VirtualMachine::receive_migration: the destination of a live migration. It listens, checks
// and builds the configuration (answering READY, or REFUSE with the reason), applies page
// records as they come, loads the CPU and device state from the snapshot sections, answers
// ACK, and returns the VM only once the source says GO (it has stopped for good). Any failure
// returns an error: this side exits and the source, which has not committed, runs on.
#include <unistd.h>

#include <poll.h>
#include <sys/eventfd.h>

#include <cstring>
#include <thread>

#include "common/size.h"
#include "migration/channel.h"
#include "migration/endpoint.h"
#include "migration/page_codec.h"
#include "migration/stream.h"
#include "snapshot/snapshot_file.h"
#include "snapshot/state_stream.h"
#include "vmm/disk_copy_target.h"
#include "vmm/migration_target.h"
#include "vmm/virtual_machine.h"
#include "vmm/vm_config_json.h"

namespace vessel::vmm {
namespace {

using migration::RecordType;
constexpr int kStreamTimeoutMs = 60'000;  // the source pauses at most this long between records

std::string mib(uint64_t bytes) { return std::to_string(bytes >> 20) + " MiB"; }

// What this side's command line fixed and the source's VM does not have.
std::optional<std::string> mismatch(const IncomingOptions& o, const VmConfig& c) {
  if (o.memory_bytes && *o.memory_bytes != c.memory_bytes)
    return "the source VM has " + mib(c.memory_bytes) + " of memory, this side was started with --memory " +
           mib(*o.memory_bytes);
  if (o.cpus && *o.cpus != c.cpus)
    return "the source VM has " + std::to_string(c.cpus) + " harts, this side was started with --cpus " +
           std::to_string(*o.cpus);
  if (o.cpu && *o.cpu != c.cpu)
    return std::string("the source VM's harts are ") + riscv::cpu_profile_name(c.cpu) +
           ", this side was started with --cpu " + riscv::cpu_profile_name(*o.cpu);
  if (o.drive_files && o.disks_dir.empty()) {
    std::vector<std::string> theirs;
    for (const DriveSpec& d : c.drives) theirs.push_back(d.file);
    if (theirs != *o.drive_files)
      return "the source VM's disks (" + std::to_string(theirs.size()) +
             ") are not the --drive files this side was started with";
  }
  if (o.nets && *o.nets != c.nets.size())
    return "the source VM has " + std::to_string(c.nets.size()) + " NICs, this side was started with " +
           std::to_string(*o.nets);
  return std::nullopt;
}

// Aborts the channel when `stop_fd` becomes readable (a signal arrived), so that a destination
// told to stop mid-stream gives up at once and removes what it created.
class StopWatch {
 public:
  StopWatch(int stop_fd, migration::Channel& ch) : done_(eventfd(0, EFD_CLOEXEC)) {
    if (stop_fd < 0 || done_ < 0) return;
    thread_ = std::thread([this, stop_fd, &ch] {
      pollfd p[2] = {{stop_fd, POLLIN, 0}, {done_, POLLIN, 0}};
      while (poll(p, 2, -1) < 0 && errno == EINTR) {
      }
      if (p[0].revents & POLLIN) ch.abort();
    });
  }
  ~StopWatch() {
    const uint64_t one = 1;
    if (done_ >= 0) (void)!write(done_, &one, sizeof one);
    if (thread_.joinable()) thread_.join();
    if (done_ >= 0) close(done_);
  }

 private:
  int done_;
  std::thread thread_;
};

}  // namespace

Result<std::unique_ptr<VirtualMachine>> VirtualMachine::receive_migration(const IncomingOptions& options,
                                                                         Console& console, VmConfig& config,
                                                                         bool& refused) {
  refused = false;
  auto endpoint = migration::parse_endpoint(options.from);
  if (!endpoint) {
    refused = true;
    return Error{endpoint.error()};
  }
  auto listener = migration::listen_endpoint(endpoint.value());
  if (!listener) {
    refused = true;
    return Error{listener.error()};
  }
  fprintf(stderr, "vessel: waiting for an incoming migration on %s\n", options.from.c_str());
  auto fd = migration::accept_connection(listener.value(), options.accept_timeout_ms, options.stop_fd);
  close(listener.value());
  if (endpoint->kind == migration::Endpoint::Kind::Unix) unlink(endpoint->path.c_str());
  if (!fd) return Error{fd.error()};
  migration::Channel ch(fd.value());
  ch.set_timeout_ms(kStreamTimeoutMs);
  StopWatch watch(options.stop_fd, ch);
  if (auto r = migration::receive_header(ch); !r) return Error{r.error()};
  if (auto r = migration::send_header(ch); !r) return Error{r.error()};

  // The configuration: refused (with the reason sent back) before any memory moves.
  auto refuse = [&](const std::string& why) -> Error {
    (void)migration::send_record(ch, RecordType::Refuse, why);
    return Error{why};
  };
  auto conf = migration::receive_record(ch);
  if (!conf) return Error{conf.error()};
  // With disk copy, the list of disks comes first.
  std::optional<nlohmann::json> disk_list;
  if (conf->type == static_cast<uint32_t>(RecordType::Disks)) {
    refused = true;
    if (options.disks_dir.empty())
      return refuse("the source copies its disks (--migrate-disks); start this side with --migrate-disks-to DIR");
    disk_list = nlohmann::json::parse(conf->text(), nullptr, false);
    conf = migration::receive_record(ch);
    if (!conf) return Error{conf.error()};
  } else if (!options.disks_dir.empty() && conf->type == static_cast<uint32_t>(RecordType::Config)) {
    refused = true;
    return refuse("this side waits for a migration with disk copy (--migrate-disks-to), the source does not copy "
                  "its disks");
  }
  if (conf->type != static_cast<uint32_t>(RecordType::Config))
    return refuse("malformed migration stream: " + migration::record_name(conf->type) +
                  " before the configuration");
  const std::string text = conf->text();
  const auto j = text.find('\0') == std::string::npos ? nlohmann::json::parse(text, nullptr, false)
                                                      : nlohmann::json(nullptr);
  auto parsed = config_from_json(j);
  refused = true;  // from here until READY, failures are about the configuration
  if (!parsed) return refuse("the source's configuration is not valid here: " + parsed.error());
  if (auto why = mismatch(options, parsed.value())) return refuse("configuration mismatch: " + *why);
  // The images the copy fills; they go again if the migration fails before the VM runs here.
  std::unique_ptr<DiskCopyTarget> disks;
  if (disk_list) {
    disks = std::make_unique<DiskCopyTarget>(options.disks_dir);
    if (auto r = disks->create(*disk_list, parsed.value()); !r) return refuse("disk copy: " + r.error());
  }
  adopt_machine_config(parsed.value(), config);
  config.restore_from.clear();
  config.incoming = true;
  auto built = assemble(config, console);
  if (!built) return refuse("cannot build the source's VM here: " + built.error());
  std::unique_ptr<VirtualMachine> vm = std::move(built.value());
  if (auto r = migration::send_record(ch, RecordType::Ready); !r) return Error{r.error()};
  refused = false;

  memory::GuestRam& ram = vm->board_->as.ram();
  migration::PageDecoder pages(ram.host(), ram.size() / migration::kPageBytes);
  std::vector<uint8_t> state;
  std::optional<migration::Record> extra;
  for (;;) {
    auto rec = migration::receive_record(ch);
    if (!rec) return Error{rec.error()};
    const auto type = static_cast<RecordType>(rec->type);
    if (type == RecordType::Blocks) {
      if (!disks) return refuse("malformed migration stream: disk blocks without a disk copy");
      if (auto r = disks->apply(rec->payload.data(), rec->payload.size()); !r) return refuse(r.error());
    } else if (type == RecordType::Pages) {
      // The first pages after disk blocks: the disk pass (or a round's blocks) is over; sync
      // it now, while the source still runs, rather than at the end, inside the downtime.
      if (disks)
        if (auto r = disks->flush_written(); !r) return refuse(r.error());
      if (auto r = pages.apply(rec->payload.data(), rec->payload.size()); !r) return refuse(r.error());
    } else if (type == RecordType::Round) {
      if (disks)
        if (auto r = disks->flush_written(); !r) return refuse(r.error());
      continue;
    } else if (type == RecordType::State) {
      state = std::move(rec->payload);
    } else if (type == RecordType::Extra) {
      extra = std::move(rec.value());
    } else if (type == RecordType::End) {
      break;
    } else {
      return refuse("malformed migration stream: unexpected record " + migration::record_name(rec->type));
    }
  }
  if (state.empty() || !extra) return refuse("malformed migration stream: no CPU and device state before its end");
  auto sections = snapshot::SnapshotFile::parse(state.data(), state.size(), "in the migration stream");
  if (!sections) return refuse(sections.error());
  if (disks)
    if (auto r = disks->finish(); !r) return refuse(r.error());
  if (auto r = vm->reopen_drives(); !r) return refuse(r.error());
  if (auto r = vm->restore_components(*sections.value()); !r) return refuse("the VM's state does not load: " + r.error());
  snapshot::StateReader in(extra->payload.data(), extra->payload.size(), "migration extras");
  const bool paused = in.boolean();
  const std::string history = in.string(1 << 24);
  if (!in.finish()) return refuse(in.error());
  // Loaded: the source may now stop for good. Run only once it says so.
  if (auto r = migration::send_record(ch, RecordType::Ack); !r) return Error{r.error()};
  auto go = migration::receive_record(ch);
  if (!go || go->type != static_cast<uint32_t>(RecordType::Go))
    return Error{"the source did not confirm the end of the migration (" +
                 (go ? migration::record_name(go->type) : go.error()) + "); it keeps the VM"};
  if (disks) disks->commit();
  console.seed_history(history);
  if (paused) vm->start_paused();
  return vm;
}

}  // namespace vessel::vmm
