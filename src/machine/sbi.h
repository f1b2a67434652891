// Built-in SBI firmware (SBI 2.0 subset), implemented natively by the monitor: no guest
// M-mode code runs. Base, legacy console/timer/IPI/fence/shutdown, TIME, IPI, RFENCE, HSM,
// SRST and DBCN.
#pragma once
#include <atomic>
#include <cstddef>
#include <cstdint>

#include "cpu/riscv/hart.h"

namespace vessel::machine {

// SBI error codes.
enum SbiError : int64_t {
  kSbiSuccess = 0, kSbiErrFailed = -1, kSbiErrNotSupported = -2, kSbiErrInvalidParam = -3, kSbiErrDenied = -4,
  kSbiErrInvalidAddress = -5, kSbiErrAlreadyAvailable = -6, kSbiErrAlreadyStarted = -7, kSbiErrAlreadyStopped = -8,
};

// HSM states as the spec numbers them.
enum class HartState : int64_t { Started = 0, Stopped = 1, StartPending = 2, StopPending = 3, Suspended = 4 };

// What the firmware needs from the virtual machine around it.
class SbiPlatform {
 public:
  virtual ~SbiPlatform() = default;
  virtual unsigned hart_count() const = 0;
  virtual riscv::Hart& hart(unsigned id) = 0;
  virtual int64_t hart_start(unsigned id, uint64_t start_addr, uint64_t opaque) = 0;
  virtual void hart_stop(riscv::Hart& self) = 0;  // takes effect when the ECALL returns
  virtual HartState hart_state(unsigned id) = 0;
  // Makes every hart in `targets` (bit per hart) flush its TLB before it runs again.
  virtual void remote_sfence(uint64_t targets, riscv::Hart& self) = 0;
  virtual void remote_fence_i(uint64_t targets, riscv::Hart& self) = 0;
  enum class Reset { Shutdown, ColdReboot, WarmReboot };
  virtual void system_reset(Reset kind) = 0;
  virtual void console_write(const uint8_t* data, size_t len) = 0;
  virtual int console_read() = 0;  // -1 when nothing is waiting
};

class SbiFirmware : public riscv::HartHooks {
 public:
  explicit SbiFirmware(SbiPlatform& platform) : platform_(platform) {}
  bool supervisor_ecall(riscv::Hart& hart) override;
  // SBI calls served so far (an "exit" in the VM's metrics).
  uint64_t calls() const { return calls_.load(std::memory_order_relaxed); }

  // Prepares a hart for entering S-mode directly (delegation, counters, Sstc) as firmware would.
  static void prepare_hart(riscv::Hart& hart);

 private:
  struct Ret {
    int64_t error;
    int64_t value;
    bool registers_set = false;  // non-retentive suspend: a0/a1 are the resume arguments
  };
  Ret base(riscv::Hart& h, uint64_t fid);
  Ret legacy(riscv::Hart& h, uint64_t eid, bool& only_a0);
  Ret ipi(riscv::Hart& h, uint64_t mask, uint64_t base);
  Ret rfence(riscv::Hart& h, uint64_t fid, uint64_t mask, uint64_t base);
  Ret hsm(riscv::Hart& h, uint64_t fid);
  Ret srst(riscv::Hart& h, uint64_t type, uint64_t reason);
  Ret dbcn(riscv::Hart& h, uint64_t fid);
  bool hart_targets(uint64_t mask, uint64_t base, uint64_t& targets) const;

  SbiPlatform& platform_;
  std::atomic<uint64_t> calls_{0};
};

}  // namespace vessel::machine
