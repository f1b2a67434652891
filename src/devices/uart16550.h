// NS16550A UART, the console: interrupt-driven receive and transmit with the
// LSR/IIR/IER semantics Linux's 8250 driver relies on. Transmission is instantaneous.
#pragma once
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>

#include "devices/fdt_node.h"
#include "devices/irq_line.h"
#include "memory/mmio.h"

namespace vessel::snapshot {
class StateWriter;
class StateReader;
}  // namespace vessel::snapshot

namespace vessel::devices {

class Uart16550 : public memory::MmioDevice, public FdtNode {
 public:
  using Output = std::function<void(const uint8_t* data, size_t len)>;
  static constexpr uint64_t kSize = 0x100;
  static constexpr size_t kRxCapacity = 4096;

  Uart16550(uint64_t base, IrqLine irq, Output output);

  bool read(uint64_t offset, unsigned size, uint64_t& value) override;
  bool write(uint64_t offset, unsigned size, uint64_t value) override;
  void add_fdt_node(FdtBuilder& fdt, const FdtContext& ctx) const override;

  // Host side: bytes typed on the console. Returns how many were accepted.
  size_t receive(const uint8_t* data, size_t len);
  size_t rx_space();
  // Host side: a break condition (a NUL with LSR.BI), which Linux's 8250 driver turns into a
  // magic SysRq prefix. Only accepted when the receive FIFO is empty (false: retry later).
  bool receive_break();
  // Takes one received byte for the SBI console (-1 if none).
  int take_byte();
  // Snapshot persistence (device_persist.cpp): registers and the receive FIFO.
  void save_state(snapshot::StateWriter& out);
  bool restore_state(snapshot::StateReader& in);

 private:
  void update_irq();  // called with mutex_ held

  uint64_t base_;
  IrqLine irq_;
  Output output_;
  std::mutex mutex_;
  std::deque<uint8_t> rx_;
  uint8_t ier_ = 0, lcr_ = 0, mcr_ = 0, scr_ = 0, fcr_ = 0, dll_ = 0x0c, dlm_ = 0;
  bool thr_interrupt_ = false;  // THR-empty interrupt pending (cleared by reading IIR or writing THR)
  bool irq_level_ = false;
  bool break_front_ = false;  // the byte at the front of rx_ is a received break
};

}  // namespace vessel::devices
