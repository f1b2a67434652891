// One virtual machine: the board, the firmware, one host thread per hart, and the
// reasons it stops (poweroff, reboot, a signal, the user quitting the console).
#pragma once
#include <atomic>
#include <condition_variable>
#include <ctime>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/event_count.h"
#include "common/result.h"
#include "cpu/riscv/engine.h"
#include "devices/virtio/balloon/balloon_device.h"
#include "devices/virtio/console/console_device.h"
#include "machine/board.h"
#include "machine/sbi.h"
#include "vmm/console.h"
#include "vmm/cpu_budget.h"
#include "vmm/device_spec.h"

namespace vessel::devices::virtio {
class BlockDevice;
class NetDevice;
}  // namespace vessel::devices::virtio
namespace vessel::snapshot {
class SnapshotFile;
}  // namespace vessel::snapshot

namespace vessel::vmm {

class OutgoingMigration;
struct MigrationParams;
struct IncomingOptions;

struct VmConfig {
  std::string kernel, initrd, append, bios, dump_dtb;
  uint64_t memory_bytes = 256ull << 20;
  unsigned cpus = 1;
  riscv::CpuProfile cpu = riscv::kDefaultCpu;  // --cpu: the ISA the harts implement
  bool trace = false;  // print every executed instruction to stderr (interpreter only)
  riscv::EngineKind engine = riscv::EngineKind::Jit;
  bool huge_pages = true;  // guest RAM in transparent huge pages (faster boot, memory held in 2 MiB units)
  std::vector<DriveSpec> drives;
  std::vector<NetSpec> nets;
  std::optional<VsockSpec> vsock;
  std::vector<ShareSpec> shares;
  double cpu_cap = 0;  // fraction of one host core for the whole VM (0.25 = 25 %); 0 = unlimited
  // How to start, not part of the machine: from a snapshot file, and parked until resumed.
  std::string restore_from;
  bool start_paused = false;
  // With --restore or --incoming: where this process serves the vsock host socket, in place of
  // the path saved with the machine (a VM restored or arriving under another name has its own).
  std::string vsock_socket;
  // An incoming migration: disks are opened read-only until the source has stopped writing
  // them (reopen_drives()), as the source still runs while memory is copied.
  bool incoming = false;
};

// The machine's fields of `saved` (memory, harts, ISA, devices, command line, cap) replace
// those of `config`; how to run it (engine, trace, huge pages) stays the caller's.
void adopt_machine_config(const VmConfig& saved, VmConfig& config);

// Migrated: the VM now runs in another VMM (a live migration committed).
enum class VmExit { Poweroff, Reboot, Failure, Quit, Signal, Migrated };

struct VmResult {
  VmExit exit;
  int code = 0;  // failure code from the test device, or the signal number
};

class VirtualMachine : public machine::SbiPlatform {
 public:
  static Result<std::unique_ptr<VirtualMachine>> create(const VmConfig& config, Console& console);
  // A VM continuing where a snapshot (snapshot()) stopped; `config` receives its configuration
  // (the disk images it names must exist). vm_snapshot.cpp.
  static Result<std::unique_ptr<VirtualMachine>> restore(const std::string& path, Console& console, VmConfig& config);
  // The machine configuration a snapshot holds (its disks, ...), without restoring it or
  // verifying the rest of the file.
  static Result<VmConfig> snapshot_config(const std::string& path);
  ~VirtualMachine() override;

  // Runs until the guest powers off or reboots, or stop() is called. Blocks the caller.
  VmResult run();
  // Thread-safe: ends run() with the given reason.
  void stop(VmExit reason, int code = 0);
  // Thread-safe: stops every hart at an instruction boundary / lets them continue.
  // Guest time (mtime) stops while paused, like QEMU's virtual clock: resume continues from the
  // tick the pause stopped at, so a pause (or a snapshot taken during it) is invisible to the
  // guest's timers and watchdogs; only its wall clock (the RTC) sees the gap.
  void pause();
  void resume();
  bool paused() const { return paused_.load(); }
  // For a debugger that runs harts itself while the vCPU threads are parked (vm_debugger.cpp).
  // Started and stopped at an instruction boundary (not parked inside an SBI call).
  bool hart_steppable(unsigned id) const {
    return vcpus_[id]->state.load() == machine::HartState::Started && !vcpus_[id]->parked_mid_call.load();
  }
  bool stopping();
  // Guest code was changed from outside (a debugger's write): translations are checked again.
  void invalidate_code() { code_epoch_.fetch_add(1, std::memory_order_release); }

  // Snapshot (vm_snapshot.cpp): pauses if running, stops the I/O thread so no request is in
  // flight, writes every component and the touched memory to `path` (zstd-compressed if
  // `compress`; stored pages straight from guest memory), then returns to the previous state.
  struct SnapshotInfo {
    uint64_t bytes = 0, pages = 0;
    double seconds = 0;
    double pause_seconds = 0;  // how long the snapshot held a running VM paused
  };
  Result<SnapshotInfo> snapshot(const std::string& path, bool compress = false);
  // Before run(): the harts park as soon as they start (vessel run --restore --paused).
  void start_paused();
  // The configuration with the limits currently in force.
  VmConfig current_config();

  // Live migration. The per-component state a snapshot holds, memory aside (vm_snapshot.cpp):
  // saved while paused with the I/O thread stopped, restored before the VM runs.
  std::vector<std::pair<uint32_t, std::vector<uint8_t>>> save_components();
  Result<bool> restore_components(const snapshot::SnapshotFile& file);
  // Appends every page written since the last harvest to `pages`; once it returns, every
  // later write marks its page again: each hart drops its write TLB entries, whose fill is
  // where stores mark pages (vm_migration.cpp).
  void harvest_dirty(std::vector<uint64_t>& pages);
  // Stops the I/O thread so no device request is half-done / starts it again.
  bool stop_io() { return board_->io.stop(); }
  void start_io() { board_->io.start(); }
  // Disks opened read-only for an incoming migration, opened again as configured (the source
  // has flushed and stopped writing them).
  Result<bool> reopen_drives();
  Result<bool> flush_drives();
  Console& console() { return console_; }
  // Starts migrating to `params.to` in the background (migration_source.cpp); refuses a
  // second migration, a stopping VM, a bad address.
  Result<bool> start_migration(const MigrationParams& params);
  // The migration's progress (empty when none was started).
  std::string migration_status();
  // A migration has paused the VM to send its last pages: resuming now would let the guest
  // run on both sides.
  bool migration_holds_pause();
  // Waits for a migration stream and builds the VM it carries (migration_target.cpp).
  // `config` gives how to run it and receives the machine; `refused` tells a configuration
  // this side cannot or will not build from a broken stream.
  static Result<std::unique_ptr<VirtualMachine>> receive_migration(const IncomingOptions& options, Console& console,
                                                                   VmConfig& config, bool& refused);

  // Resource limits and accounting (limits: any thread).
  CpuBudget& cpu_budget() { return budget_; }
  const std::vector<devices::virtio::BlockDevice*>& drives() const { return drives_; }
  const std::vector<devices::virtio::NetDevice*>& nics() const { return nics_; }
  unsigned vcpu_count() const { return static_cast<unsigned>(vcpus_.size()); }
  double vcpu_seconds(unsigned id);  // CPU time of the vCPU's host thread (metrics.cpp)
  uint64_t sbi_calls() const { return sbi_->calls(); }
  double uptime_seconds() const { return static_cast<double>(Timebase::host_ns() - created_ns_) / 1e9; }
  devices::virtio::BalloonDevice* balloon() { return balloon_; }
  machine::Board& board() { return *board_; }

 private:
  struct Vcpu {
    std::atomic<machine::HartState> state{machine::HartState::Stopped};
    uint64_t start_addr = 0, opaque = 0;
    std::atomic<uint64_t> flush_requested{0}, flush_done{0};
    // Runs no guest code and serves its requests before it runs any again (WFI sleep, parked):
    // nobody needs to wait for it.
    std::atomic<bool> quiescent{false};
    std::atomic<bool> parked_mid_call{false};  // parked inside an SBI call's cross-hart wait
    std::atomic<bool> icache_flush{false};
    std::thread thread;
    clockid_t cpu_clock{};  // the thread's CPU-time clock (metrics), once cpu_clock_set
    std::atomic<bool> cpu_clock_set{false};
  };

  VirtualMachine(const VmConfig& config, Console& console);
  // The board, firmware and devices, wired; create() then boots, restore() loads state.
  static Result<std::unique_ptr<VirtualMachine>> assemble(const VmConfig& config, Console& console);
  Result<bool> restore_state(const snapshot::SnapshotFile& file);
  Result<bool> add_devices();
  Result<bool> add_net(const NetSpec& spec, size_t index);
  Result<bool> attach(std::unique_ptr<devices::virtio::VirtioDevice> device, Bus bus);
  Result<bool> boot();
  void vcpu_loop(unsigned id);
  bool wait_until_started(unsigned id);
  void park(unsigned id);
  // Cross-hart requests and waits (cross_hart_wait.cpp).
  void service_requests(unsigned id);
  void set_quiescent(unsigned id, bool quiescent);
  // Hart `self` sleeps until done() holds, serving its own requests meanwhile (and parking for
  // a pause); returns early when the VM stops.
  void wait_serving(unsigned self, const std::function<bool()>& done);

  // SbiPlatform
  unsigned hart_count() const override { return static_cast<unsigned>(board_->harts.size()); }
  riscv::Hart& hart(unsigned id) override { return *board_->harts[id]; }
  int64_t hart_start(unsigned id, uint64_t start_addr, uint64_t opaque) override;
  void hart_stop(riscv::Hart& self) override;
  machine::HartState hart_state(unsigned id) override { return vcpus_[id]->state.load(); }
  void remote_sfence(uint64_t targets, riscv::Hart& self) override;
  void remote_fence_i(uint64_t targets, riscv::Hart& self) override;
  void system_reset(Reset kind) override;
  void console_write(const uint8_t* data, size_t len) override { console_.write(data, len); }
  int console_read() override;

  VmConfig config_;
  Console& console_;
  std::unique_ptr<machine::Board> board_;
  std::unique_ptr<machine::SbiFirmware> sbi_;
  std::vector<std::unique_ptr<Vcpu>> vcpus_;
  devices::virtio::ConsoleDevice* virtio_console_ = nullptr;
  devices::virtio::BalloonDevice* balloon_ = nullptr;
  bool firmware_mode_ = false;  // --bios: harts start in M-mode running real firmware
  std::vector<devices::virtio::BlockDevice*> drives_;
  std::mutex migration_mutex_;
  std::unique_ptr<OutgoingMigration> migration_;  // the last migration started
  std::vector<devices::virtio::NetDevice*> nics_;
  CpuBudget budget_;
  uint64_t created_ns_ = Timebase::host_ns();
  uint64_t paused_ticks_ = 0;  // guest time when pause() stopped it

  std::mutex mutex_;
  std::condition_variable cv_;  // HSM start requests and the end of run()
  bool stopping_ = false;
  std::atomic<bool> paused_{false};
  std::atomic<uint64_t> code_epoch_{0};  // shared by all harts: FENCE.I invalidates translations
  unsigned parked_ = 0;  // vCPUs currently parked (guarded by mutex_)
  // Notified on every change that can end a cross-hart wait or that a waiting hart must serve:
  // flush requested or done, a hart quiescent or stopped, pause or stop requested.
  EventCount hart_events_;
  VmResult result_{VmExit::Poweroff, 0};
};

}  // namespace vessel::vmm
