// An interrupt line from a device to an interrupt controller input.
#pragma once

namespace vessel::devices {

class InterruptController {
 public:
  virtual ~InterruptController() = default;
  virtual void set_irq(unsigned source, bool level) = 0;
};

class IrqLine {
 public:
  IrqLine() = default;
  IrqLine(InterruptController* controller, unsigned source) : controller_(controller), source_(source) {}
  void set(bool level) const {
    if (controller_) controller_->set_irq(source_, level);
  }
  unsigned source() const { return source_; }

 private:
  InterruptController* controller_ = nullptr;
  unsigned source_ = 0;
};

}  // namespace vessel::devices
