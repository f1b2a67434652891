#include "devices/uart16550.h"

#include <cstdio>

namespace vessel::devices {
namespace {

enum : unsigned { kRbrThr = 0, kIer = 1, kIirFcr = 2, kLcr = 3, kMcr = 4, kLsr = 5, kMsr = 6, kScr = 7 };
constexpr uint8_t kIerRx = 1, kIerThre = 2, kLcrDlab = 0x80, kMcrLoop = 0x10;
constexpr uint8_t kLsrDr = 0x01, kLsrBi = 0x10, kLsrThre = 0x20, kLsrTemt = 0x40;
constexpr uint8_t kIirNone = 0x01, kIirThre = 0x02, kIirRx = 0x04, kIirFifo = 0xc0;

}  // namespace

Uart16550::Uart16550(uint64_t base, IrqLine irq, Output output)
    : base_(base), irq_(irq), output_(std::move(output)) {}

void Uart16550::update_irq() {
  const bool rx = (ier_ & kIerRx) && !rx_.empty();
  const bool level = rx || ((ier_ & kIerThre) && thr_interrupt_);
  if (level != irq_level_) {
    irq_level_ = level;
    irq_.set(level);
  }
}

bool Uart16550::read(uint64_t off, unsigned size, uint64_t& value) {
  if (size != 1 && size != 4) return false;
  std::lock_guard lock(mutex_);
  uint8_t v = 0;
  switch (off) {
    case kRbrThr:
      if (lcr_ & kLcrDlab) {
        v = dll_;
      } else if (!rx_.empty()) {
        v = rx_.front();
        rx_.pop_front();
        break_front_ = false;
      }
      break;
    case kIer: v = (lcr_ & kLcrDlab) ? dlm_ : ier_; break;
    case kIirFcr:
      if ((ier_ & kIerRx) && !rx_.empty()) {
        v = kIirRx;
      } else if ((ier_ & kIerThre) && thr_interrupt_) {
        v = kIirThre;
        thr_interrupt_ = false;  // reading IIR acknowledges THRE
      } else {
        v = kIirNone;
      }
      if (fcr_ & 1) v |= kIirFifo;
      break;
    case kLcr: v = lcr_; break;
    case kMcr: v = mcr_; break;
    case kLsr: v = kLsrThre | kLsrTemt | (rx_.empty() ? 0 : kLsrDr) | (break_front_ && !rx_.empty() ? kLsrBi : 0); break;
    case kMsr:
      // Loopback reflects MCR outputs; otherwise the line is up (CTS, DSR, DCD).
      v = (mcr_ & kMcrLoop) ? static_cast<uint8_t>(((mcr_ & 0x0c) << 4) | ((mcr_ & 0x01) << 5) | ((mcr_ & 0x02) << 3))
                            : 0xb0;
      break;
    case kScr: v = scr_; break;
    default: break;
  }
  update_irq();
  value = v;
  return true;
}

bool Uart16550::write(uint64_t off, unsigned size, uint64_t value) {
  if (size != 1 && size != 4) return false;
  const uint8_t v = static_cast<uint8_t>(value);
  std::lock_guard lock(mutex_);
  switch (off) {
    case kRbrThr:
      if (lcr_ & kLcrDlab) {
        dll_ = v;
      } else if (mcr_ & kMcrLoop) {
        if (rx_.size() < kRxCapacity) rx_.push_back(v);
        thr_interrupt_ = true;
      } else {
        output_(&v, 1);
        thr_interrupt_ = true;  // sent at once: the holding register is empty again
      }
      break;
    case kIer:
      if (lcr_ & kLcrDlab) {
        dlm_ = v;
      } else {
        // Enabling THRE while the transmitter is empty raises the interrupt at once.
        if (!(ier_ & kIerThre) && (v & kIerThre)) thr_interrupt_ = true;
        ier_ = v & 0x0f;
      }
      break;
    case kIirFcr:
      fcr_ = v & 0xc9;
      if (v & 0x02) {
        rx_.clear();
        break_front_ = false;
      }
      break;
    case kLcr: lcr_ = v; break;
    case kMcr: mcr_ = v & 0x1f; break;
    case kScr: scr_ = v; break;
    default: break;  // LSR and MSR are read-only
  }
  update_irq();
  return true;
}

size_t Uart16550::receive(const uint8_t* data, size_t len) {
  std::lock_guard lock(mutex_);
  size_t n = 0;
  while (n < len && rx_.size() < kRxCapacity) rx_.push_back(data[n++]);
  update_irq();
  return n;
}

bool Uart16550::receive_break() {
  std::lock_guard lock(mutex_);
  if (!rx_.empty()) return false;
  rx_.push_back(0);
  break_front_ = true;
  update_irq();
  return true;
}

size_t Uart16550::rx_space() {
  std::lock_guard lock(mutex_);
  return kRxCapacity - rx_.size();
}

int Uart16550::take_byte() {
  std::lock_guard lock(mutex_);
  if (rx_.empty()) return -1;
  const int c = rx_.front();
  rx_.pop_front();
  break_front_ = false;
  update_irq();
  return c;
}

void Uart16550::add_fdt_node(FdtBuilder& fdt, const FdtContext& ctx) const {
  char name[64];
  snprintf(name, sizeof name, "serial@%lx", base_);
  fdt.begin_node(name);
  fdt.prop_string("compatible", "ns16550a");
  fdt.prop_reg(base_, kSize);
  fdt.prop_u32("clock-frequency", 3686400);
  fdt.prop_u32("interrupts", irq_.source());
  fdt.prop_u32("interrupt-parent", ctx.plic_phandle);
  fdt.end_node();
}

}  // namespace vessel::devices
