// One virtual machine: the board, the firmware, one host thread per hart, and the
// reasons it stops (poweroff, reboot, a signal, the user quitting the console).
#pragma once
#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/result.h"
#include "devices/virtio/balloon/balloon_device.h"
#include "devices/virtio/console/console_device.h"
#include "machine/board.h"
#include "machine/sbi.h"
#include "vmm/console.h"
#include "vmm/device_spec.h"

namespace vessel::vmm {

struct VmConfig {
  std::string kernel, initrd, append, bios, dump_dtb;
  uint64_t memory_bytes = 256ull << 20;
  unsigned cpus = 1;
  bool trace = false;  // print every executed instruction to stderr
  std::vector<DriveSpec> drives;
  std::vector<NetSpec> nets;
};

enum class VmExit { Poweroff, Reboot, Failure, Quit, Signal };

struct VmResult {
  VmExit exit;
  int code = 0;  // failure code from the test device, or the signal number
};

class VirtualMachine : public machine::SbiPlatform {
 public:
  static Result<std::unique_ptr<VirtualMachine>> create(const VmConfig& config, Console& console);
  ~VirtualMachine() override;

  // Runs until the guest powers off or reboots, or stop() is called. Blocks the caller.
  VmResult run();
  // Thread-safe: ends run() with the given reason.
  void stop(VmExit reason, int code = 0);
  // Thread-safe: stops every hart at an instruction boundary / lets them continue.
  // Guest time keeps running while paused (the timebase follows the host clock), so the
  // guest sees the pause as time that passed, like a host that was busy elsewhere.
  void pause();
  void resume();
  bool paused() const { return paused_.load(); }
  devices::virtio::BalloonDevice* balloon() { return balloon_; }
  machine::Board& board() { return *board_; }

 private:
  struct Vcpu {
    std::atomic<machine::HartState> state{machine::HartState::Stopped};
    uint64_t start_addr = 0, opaque = 0;
    std::atomic<uint64_t> flush_requested{0}, flush_done{0};
    std::atomic<bool> icache_flush{false};
    std::thread thread;
  };

  VirtualMachine(const VmConfig& config, Console& console) : config_(config), console_(console) {}
  Result<bool> add_devices();
  Result<bool> add_net(const NetSpec& spec, size_t index);
  Result<bool> boot();
  void vcpu_loop(unsigned id);
  bool wait_until_started(unsigned id);
  void service_requests(unsigned id);
  void park(unsigned id);

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

  std::mutex mutex_;
  std::condition_variable cv_;  // HSM start requests and the end of run()
  bool stopping_ = false;
  std::atomic<bool> paused_{false};
  unsigned parked_ = 0;  // vCPUs currently parked (guarded by mutex_)
  VmResult result_{VmExit::Poweroff, 0};
};

}  // namespace vessel::vmm
