// The `virt` board: RAM, harts and the devices of the memory map, wired together,
// and the device tree describing them.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "common/result.h"
#include "common/timebase.h"
#include "cpu/riscv/hart.h"
#include "devices/clint.h"
#include "devices/goldfish_rtc.h"
#include "devices/plic.h"
#include "devices/sifive_test.h"
#include "devices/uart16550.h"
#include "devices/pci/pci_root.h"
#include "devices/virtio/mmio_transport.h"
#include "devices/virtio/pci_transport.h"
#include "common/event_loop.h"
#include "memory/address_space.h"

namespace vessel::machine {

struct BoardConfig {
  uint64_t memory_bytes = 256ull << 20;
  unsigned harts = 1;
  bool huge_pages = false;  // back guest RAM with transparent huge pages
  riscv::CpuProfile cpu = riscv::kDefaultCpu;  // the harts' ISA (misa, decoder, device tree)
};

class Board {
 public:
  static constexpr unsigned kMaxHarts = 32;
  static constexpr unsigned kUartIrq = 10, kRtcIrq = 11, kVirtioFirstIrq = 1, kPcieFirstIrq = 32;

  // `console_output` receives what the guest writes to the UART.
  static Result<std::unique_ptr<Board>> create(const BoardConfig& config, devices::Uart16550::Output console_output);

  // Puts a virtio device in the next free virtio-mmio slot.
  Result<devices::virtio::MmioTransport*> add_virtio(std::unique_ptr<devices::virtio::VirtioDevice> device);
  // Puts a virtio device on the PCI bus, in the next free slot (virtio-pci).
  Result<devices::virtio::PciTransport*> add_virtio_pci(std::unique_ptr<devices::virtio::VirtioDevice> device);

  std::vector<uint8_t> device_tree(const std::string& bootargs, uint64_t initrd_start, uint64_t initrd_end) const;

  memory::AddressSpace as;
  Timebase timebase;
  std::vector<std::unique_ptr<riscv::Hart>> harts;
  std::unique_ptr<devices::Clint> clint;
  std::unique_ptr<devices::Plic> plic;
  std::unique_ptr<devices::Uart16550> uart;
  std::unique_ptr<devices::GoldfishRtc> rtc;
  std::unique_ptr<devices::SifiveTest> test;
  EventLoop io;  // device back ends; declared before the devices that register with it
  std::vector<std::unique_ptr<devices::virtio::MmioTransport>> virtio;
  std::unique_ptr<devices::pci::PciRoot> pci;  // the PCIe host bridge; owns the functions on its bus

 private:
  Board() = default;
  std::vector<const devices::FdtNode*> soc_nodes() const;
};

}  // namespace vessel::machine
