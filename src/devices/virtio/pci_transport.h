// Modern virtio over PCI (virtio 1.2 section 4.1): a PCI function with vendor 0x1af4 and
// device 0x1040 + the virtio device ID, whose vendor-specific capabilities point into one
// 64-bit memory BAR holding the common configuration, the notification area, the ISR and the
// device configuration; plus the PCI configuration access capability. Interrupts are legacy
// INTx (no MSI-X): level, raised with the ISR bits, lowered when the driver reads the ISR.
// The register layout maps onto the same TransportCore as virtio-mmio.
#pragma once
#include <memory>
#include <mutex>
#include <string>

#include "common/event_loop.h"
#include "devices/irq_line.h"
#include "devices/pci/pci_function.h"
#include "devices/virtio/transport_core.h"

namespace vessel::devices::virtio {

class PciTransport : public pci::PciFunction, private InterruptController {
 public:
  static constexpr unsigned kBar = 4;  // as QEMU: BARs 4 and 5 (64-bit)
  static constexpr uint64_t kBarSize = 0x4000;
  // Offsets of the regions inside the BAR.
  static constexpr uint64_t kCommonCfg = 0x0000, kIsr = 0x1000, kDeviceCfg = 0x2000, kNotify = 0x3000;
  static constexpr uint32_t kNotifyMultiplier = 4;

  // `slot` is the device number on bus 0 (for log messages); `intx` its INTA wire.
  PciTransport(unsigned slot, IrqLine intx, const memory::GuestRam& ram, std::unique_ptr<VirtioDevice> device,
               EventLoop& loop);

  pci::ConfigSpace& config() override { return config_; }
  const char* name() const override { return core_.device().name(); }
  uint32_t config_read(unsigned offset, unsigned size) override;
  void config_write(unsigned offset, unsigned size, uint32_t value) override;
  bool bar_read(unsigned bar, uint64_t offset, unsigned size, uint64_t& value) override;
  bool bar_write(unsigned bar, uint64_t offset, unsigned size, uint64_t value) override;
  // Snapshot persistence (pci_transport_persist.cpp): configuration space, then the core.
  void save_state(snapshot::StateWriter& out) override;
  bool restore_state(snapshot::StateReader& in) override;

  VirtioDevice& device() { return core_.device(); }
  uint32_t status() const { return core_.status(); }

 private:
  void set_irq(unsigned, bool level) override;  // the core's interrupt line
  void update_intx();
  uint64_t common_get(unsigned field);
  void common_set(unsigned field, uint64_t value);
  // The PCI configuration access capability's window (pci_cfg_data) into the BAR.
  bool in_cfg_data(unsigned offset, unsigned size) const;
  bool cfg_window(uint64_t& offset, unsigned& length) const;

  IrqLine intx_;
  pci::ConfigSpace config_;
  unsigned pci_cfg_cap_ = 0;  // offset of the VIRTIO_PCI_CAP_PCI_CFG capability
  std::mutex intx_mutex_;
  bool intx_level_ = false;
  TransportCore core_;
};

}  // namespace vessel::devices::virtio
