#include "vmm/virtual_machine.h"
#include "common/thread_kind.h"

#include "vmm/migration_source.h"

#include <pthread.h>
#include <unistd.h>

#include <malloc.h>

#include <fstream>

#include "jit/engine_factory.h"
#include "devices/virtio/balloon/balloon_device.h"
#include "devices/virtio/vsock/vsock_device.h"
#include "devices/virtio/9p/p9_device.h"
#include "devices/virtio/block/block_device.h"
#include "devices/virtio/net/net_device.h"
#include "devices/virtio/console/console_device.h"
#include "devices/virtio/rng/rng_device.h"
#include "net/slirp_backend.h"
#include "net/mac_guard.h"
#include "net/tap_backend.h"
#include "net/vde_backend.h"
#include "storage/open_disk.h"
#include "machine/boot_loader.h"
#include "machine/memory_map.h"

namespace vessel::vmm {
namespace {

struct IdleWindow {
  uint64_t start_ns = Timebase::host_ns();
  uint64_t start_instret = 0;
  bool released = false;  // memory given back since the hart was last busy
};

constexpr uint64_t kBatch = 16384;  // instructions between interrupt and request checks (~10-50 us)

// An idle hart gives back its JIT code cache (tens of MiB): density matters more than
// re-translating the little code an idle guest runs. Checked when the hart enters WFI.
constexpr uint64_t kIdleWindowNs = 2'000'000'000;
constexpr uint64_t kIdleMaxInstructions = 20'000'000;  // under 10 MIPS over the window

void release_if_idle(riscv::Hart& h, riscv::ExecutionEngine& engine, IdleWindow& w) {
  const uint64_t now = Timebase::host_ns();
  if (now - w.start_ns < kIdleWindowNs) return;
  // Once per idle period: releasing again every window would re-translate the idle path
  // (timer ticks, RCU, the scheduler) over and over.
  if (h.instret - w.start_instret >= kIdleMaxInstructions) {
    w.released = false;
  } else if (!w.released) {
    engine.release_memory();
    malloc_trim(0);
    w.released = true;
  }
  w.start_ns = now;
  w.start_instret = h.instret;
}

}  // namespace

VirtualMachine::VirtualMachine(const VmConfig& config, Console& console)
    : config_(config), console_(console), budget_(config.cpus) {}

Result<std::unique_ptr<VirtualMachine>> VirtualMachine::create(const VmConfig& config, Console& console) {
  auto vm = assemble(config, console);
  if (!vm) return vm;
  if (auto ok = vm.value()->boot(); !ok) return Error{ok.error()};
  return vm;
}

Result<std::unique_ptr<VirtualMachine>> VirtualMachine::assemble(const VmConfig& config, Console& console) {
  std::unique_ptr<VirtualMachine> vm(new VirtualMachine(config, console));
  auto board = machine::Board::create({config.memory_bytes, config.cpus, config.huge_pages, config.cpu},
                                      [&console](const uint8_t* d, size_t n) { console.write(d, n); });
  if (!board) return Error{board.error()};
  vm->board_ = std::move(board.value());
  vm->sbi_ = std::make_unique<machine::SbiFirmware>(*vm);
  for (auto& h : vm->board_->harts) h->code_epoch = &vm->code_epoch_;
  for (unsigned i = 0; i < config.cpus; ++i) vm->vcpus_.push_back(std::make_unique<Vcpu>());
  if (auto ok = vm->add_devices(); !ok) return Error{ok.error()};
  vm->budget_.set_cap(config.cpu_cap);
  vm->firmware_mode_ = !config.bios.empty();
  if (!vm->firmware_mode_)
    for (auto& hp : vm->board_->harts) hp->hooks = vm->sbi_.get();
  VirtualMachine* self = vm.get();
  vm->board_->test->on_request = [self](devices::SifiveTest::Request r, int code) {
    switch (r) {
      case devices::SifiveTest::Request::Poweroff: self->stop(VmExit::Poweroff); break;
      case devices::SifiveTest::Request::Reboot: self->stop(VmExit::Reboot); break;
      case devices::SifiveTest::Request::Fail: self->stop(VmExit::Failure, code); break;
      case devices::SifiveTest::Request::None: break;
    }
  };
  return vm;
}

VirtualMachine::~VirtualMachine() {
  {
    std::lock_guard lock(migration_mutex_);
    migration_.reset();  // aborts a migration in progress and joins its thread
  }
  if (!board_) return;  // creation failed before the board existed
  stop(VmExit::Poweroff);
  for (auto& v : vcpus_)
    if (v->thread.joinable()) v->thread.join();
  board_->io.stop();
  console_.set_sink(nullptr);
}

Result<bool> VirtualMachine::attach(std::unique_ptr<devices::virtio::VirtioDevice> device, Bus bus) {
  if (bus == Bus::Pci) {
    if (auto r = board_->add_virtio_pci(std::move(device)); !r) return Error{r.error()};
  } else {
    if (auto r = board_->add_virtio(std::move(device)); !r) return Error{r.error()};
  }
  return true;
}

Result<bool> VirtualMachine::add_devices() {
  // virtio-console, -rng and -balloon take three of the eight virtio-mmio slots (-vsock a fourth).
  const size_t kBuiltIn = 3 + (config_.vsock && config_.vsock->bus == Bus::Mmio ? 1 : 0),
               kMmioForUser = machine::map::kVirtioSlots - kBuiltIn;
  size_t on_mmio = 0;
  for (const ShareSpec& s : config_.shares) on_mmio += s.bus == Bus::Mmio;
  for (const DriveSpec& d : config_.drives) on_mmio += d.bus == Bus::Mmio;
  for (const NetSpec& n : config_.nets) on_mmio += n.bus == Bus::Mmio;
  if (on_mmio > kMmioForUser)
    return Error{std::to_string(on_mmio) + (config_.shares.empty() ? " disks and NICs" : " disks, NICs and shares") +
                 " on virtio-mmio, which has room for " +
                 std::to_string(kMmioForUser) + " (its " + std::to_string(machine::map::kVirtioSlots) +
                 " slots also hold virtio-console, -rng, -balloon and any -vsock): put the others on PCI with bus=pci, "
                 "e.g. --drive file=disk.img,bus=pci or --net user,bus=pci"};
  for (size_t i = 0; i < config_.drives.size(); ++i) {
    const DriveSpec& d = config_.drives[i];
    auto image = storage::open_disk(d.file, d.format, d.read_only || config_.incoming);
    if (!image) return Error{image.error()};
    const std::string serial = d.serial.empty() ? "vessel-vd" + std::string(1, static_cast<char>('a' + i)) : d.serial;
    auto dev = std::make_unique<devices::virtio::BlockDevice>(std::move(image.value()), d.read_only, serial);
    dev->limiter().set({d.bps, d.iops});
    drives_.push_back(dev.get());
    if (auto r = attach(std::move(dev), d.bus); !r) return r;
  }
  for (size_t i = 0; i < config_.nets.size(); ++i) {
    if (auto r = add_net(config_.nets[i], i); !r) return Error{r.error()};
  }
  auto console = std::make_unique<devices::virtio::ConsoleDevice>(
      [this](const uint8_t* d, size_t n) { console_.write(d, n); });
  virtio_console_ = console.get();
  if (auto r = board_->add_virtio(std::move(console)); !r) return Error{r.error()};
  if (auto r = board_->add_virtio(std::make_unique<devices::virtio::RngDevice>()); !r) return Error{r.error()};
  auto balloon = std::make_unique<devices::virtio::BalloonDevice>();
  balloon_ = balloon.get();
  if (auto r = board_->add_virtio(std::move(balloon)); !r) return Error{r.error()};
  if (config_.vsock) {
    auto muxer = devices::virtio::vsock::Muxer::create(config_.vsock->cid, config_.vsock->uds);
    if (!muxer) return Error{muxer.error()};
    if (auto r = attach(std::make_unique<devices::virtio::VsockDevice>(std::move(muxer.value())), config_.vsock->bus); !r)
      return r;
  }
  if (auto ok = check_shares(config_.shares); !ok) return Error{ok.error()};
  for (const ShareSpec& s : config_.shares) {
    auto root = devices::virtio::p9::ShareRoot::open(s.path);
    if (!root) return Error{"--share " + s.tag + ": " + root.error()};
    auto dev = std::make_unique<devices::virtio::P9Device>(s.tag, std::move(root.value()), s.read_only);
    if (auto r = attach(std::move(dev), s.bus); !r) return r;
  }
  return true;
}

Result<bool> VirtualMachine::add_net(const NetSpec& n, size_t index) {
  // QEMU's default MACs, one per NIC: 52:54:00:12:34:56, :57, ...
  const devices::virtio::MacAddress mac =
      n.mac ? *n.mac : devices::virtio::MacAddress{0x52, 0x54, 0x00, 0x12, 0x34, static_cast<uint8_t>(0x56 + index)};
  std::unique_ptr<net::NetBackend> backend;
  if (n.kind == NetSpec::Kind::Tap) {
    auto tap = net::TapBackend::create(board_->io, n.ifname);
    if (!tap) return Error{tap.error()};
    backend = std::move(tap.value());
  } else if (n.kind == NetSpec::Kind::Vde) {
    auto port = net::VdeBackend::create(board_->io, n.sock, "vessel pid " + std::to_string(getpid()) + " nic " + std::to_string(index));
    if (!port) return Error{port.error()};
    backend = std::move(port.value());
  } else {
    auto user = net::SlirpBackend::create(board_->io, {n.hostfwds});
    if (!user) return Error{user.error()};
    backend = std::move(user.value());
  }
  if (n.antispoof.value_or(n.kind == NetSpec::Kind::Vde)) backend = std::make_unique<net::MacGuard>(std::move(backend), mac);
  auto dev = std::make_unique<devices::virtio::NetDevice>(std::move(backend), mac);
  dev->rx_limiter().set({n.bps, n.pps});
  dev->tx_limiter().set({n.bps, n.pps});
  nics_.push_back(dev.get());
  return attach(std::move(dev), n.bus);
}

Result<bool> VirtualMachine::boot() {
  memory::AddressSpace& as = board_->as;
  if (firmware_mode_) {
    auto fw = machine::load_firmware(config_.bios, as);
    if (!fw) return Error{fw.error()};
  }
  auto kernel = firmware_mode_ ? machine::load_next_stage(config_.kernel, as) : machine::load_kernel(config_.kernel, as);
  if (!kernel) return Error{kernel.error()};

  // The device tree's size does not depend on where the initrd goes: measure it first.
  const uint64_t dtb_reserve = board_->device_tree(config_.append, 1, 2).size() + 4096;
  const uint64_t dtb_addr = machine::device_tree_address(as, dtb_reserve);
  if (dtb_addr < kernel->end) return Error{"guest memory too small for the kernel; increase --memory"};
  uint64_t initrd_start = 0, initrd_end = 0;
  if (!config_.initrd.empty()) {
    auto initrd = machine::load_initrd(config_.initrd, as, kernel->end, dtb_addr - sizeof(machine::FwDynamicInfo));
    if (!initrd) return Error{initrd.error()};
    initrd_start = initrd->first;
    initrd_end = initrd->second;
  }
  const std::vector<uint8_t> dtb = board_->device_tree(config_.append, initrd_start, initrd_end);
  if (dtb.empty()) return Error{"internal error: device tree construction failed"};
  memcpy(as.ram_ptr(dtb_addr, dtb.size()), dtb.data(), dtb.size());
  if (!config_.dump_dtb.empty()) {
    std::ofstream out(config_.dump_dtb, std::ios::binary);
    out.write(reinterpret_cast<const char*>(dtb.data()), static_cast<std::streamsize>(dtb.size()));
    if (!out) return Error{"cannot write " + config_.dump_dtb};
  }

  if (firmware_mode_) {
    // fw_dynamic: every hart enters the firmware in M-mode with a0 = hartid, a1 = dtb, a2 = info.
    const uint64_t info_addr = dtb_addr - sizeof(machine::FwDynamicInfo);
    machine::FwDynamicInfo info;
    info.next_addr = kernel->entry;
    memcpy(as.ram_ptr(info_addr, sizeof info), &info, sizeof info);
    for (auto& h : board_->harts) {
      h->priv = riscv::Priv::Machine;
      h->pc = as.ram().base();
      h->x[10] = h->hartid;
      h->x[11] = dtb_addr;
      h->x[12] = info_addr;
      h->update_tlb_context();
    }
    for (auto& v : vcpus_) v->state = machine::HartState::Started;
  } else {
    // Built-in SBI: hart 0 enters the kernel in S-mode; the others wait for HSM hart_start.
    riscv::Hart& h = *board_->harts[0];
    machine::SbiFirmware::prepare_hart(h);
    h.priv = riscv::Priv::Supervisor;
    h.pc = kernel->entry;
    h.x[10] = 0;
    h.x[11] = dtb_addr;
    h.update_tlb_context();
    vcpus_[0]->state = machine::HartState::Started;
  }
  return true;
}

VmResult VirtualMachine::run() {
  // Keyboard input goes to the console the kernel was told to use. An hvc console is either
  // the SBI console (which reads the UART's buffer through SBI getchar) or virtio-console,
  // depending on the kernel's configuration: feed both, an unused one just fills up.
  if (config_.append.find("console=hvc") != std::string::npos)
    console_.set_sink([this](const uint8_t* d, size_t n) {
      return std::max(board_->uart->receive(d, n), virtio_console_->receive(d, n));
    });
  else
    console_.set_sink([this](const uint8_t* d, size_t n) { return board_->uart->receive(d, n); });
  board_->io.start();
  for (unsigned i = 0; i < vcpus_.size(); ++i) {
    vcpus_[i]->thread = std::thread([this, i] {
      enter_thread_kind(ThreadKind::Vcpu);
      vcpu_loop(i);
    });
    if (pthread_getcpuclockid(vcpus_[i]->thread.native_handle(), &vcpus_[i]->cpu_clock) == 0)
      vcpus_[i]->cpu_clock_set = true;
  }
  {
    std::unique_lock lock(mutex_);
    cv_.wait(lock, [this] { return stopping_; });
  }
  for (auto& v : vcpus_)
    if (v->thread.joinable()) v->thread.join();
  board_->io.stop();
  console_.set_sink(nullptr);
  return result_;
}

bool VirtualMachine::stopping() {
  std::lock_guard lock(mutex_);
  return stopping_;
}

void VirtualMachine::stop(VmExit reason, int code) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
    result_ = {reason, code};
  }
  cv_.notify_all();
  for (auto& h : board_->harts) {
    h->stop_requested.store(true);
    h->wake();
  }
  hart_events_.notify();
  budget_.wake();
}

bool VirtualMachine::wait_until_started(unsigned id) {
  Vcpu& v = *vcpus_[id];
  riscv::Hart& h = *board_->harts[id];
  std::unique_lock lock(mutex_);
  cv_.wait(lock, [&] { return stopping_ || (v.state.load() == machine::HartState::StartPending && !paused_); });
  if (stopping_) return false;
  // A fresh S-mode entry as the SBI HSM spec defines it.
  machine::SbiFirmware::prepare_hart(h);
  h.priv = riscv::Priv::Supervisor;
  h.csr.satp = 0;
  h.csr.mstatus &= ~riscv::mstatus::kSIE;
  h.pc = v.start_addr;
  h.x[10] = id;
  h.x[11] = v.opaque;
  h.waiting = false;
  h.flush_tlb();
  h.update_tlb_context();
  v.state = machine::HartState::Started;
  return true;
}

void VirtualMachine::vcpu_loop(unsigned id) {
  riscv::Hart& h = *board_->harts[id];
  Vcpu& v = *vcpus_[id];
  const auto engine = jit::create_engine(h, config_.engine, config_.trace, /*exact_budget=*/false);
  IdleWindow idle;
  while (!h.stop_requested.load(std::memory_order_relaxed)) {
    if (v.state.load() != machine::HartState::Started) {
      if (!wait_until_started(id)) break;
      continue;
    }
    if (h.park_requested.load(std::memory_order_relaxed)) {
      park(id);
      continue;
    }
    if (h.waiting) {
      release_if_idle(h, *engine, idle);
      set_quiescent(id, true);
      h.wait_for_interrupt();
      set_quiescent(id, false);
    }
    h.update_timer_interrupts();
    h.take_interrupt();
    budget_.charge(id, [&h] { return h.stop_requested.load() || h.park_requested.load(); });
    service_requests(id);  // last thing before guest code: after any sleep above
    engine->run_batch(kBatch);
  }
}

void VirtualMachine::park(unsigned id) {
  riscv::Hart& h = *board_->harts[id];
  set_quiescent(id, true);
  {
    std::unique_lock lock(mutex_);
    ++parked_;
    cv_.notify_all();
    cv_.wait(lock, [&] { return stopping_ || !h.park_requested.load(); });
    --parked_;
  }
  set_quiescent(id, false);
}

void VirtualMachine::pause() {
  std::unique_lock lock(mutex_);
  if (paused_ || stopping_) return;
  paused_ = true;
  for (auto& h : board_->harts) {
    h->park_requested = true;
    h->wake();
  }
  hart_events_.notify();  // harts in a cross-hart wait park where they wait
  budget_.wake();
  // Harts that are stopped (HSM) or not yet started park in wait_until_started: count them too.
  cv_.wait(lock, [&] {
    unsigned idle = 0;
    for (auto& v : vcpus_)
      if (v->state.load() != machine::HartState::Started) ++idle;
    return stopping_ || parked_ + idle >= vcpus_.size();
  });
  paused_ticks_ = board_->timebase.now();  // guest time stops here (see the declaration)
}

void VirtualMachine::resume() {
  {
    std::lock_guard lock(mutex_);
    if (!paused_) return;
    paused_ = false;
    board_->timebase.set(paused_ticks_);
    for (auto& h : board_->harts) h->park_requested = false;
  }
  cv_.notify_all();
}

int64_t VirtualMachine::hart_start(unsigned id, uint64_t start_addr, uint64_t opaque) {
  Vcpu& v = *vcpus_[id];
  {
    std::lock_guard lock(mutex_);
    if (v.state.load() != machine::HartState::Stopped) return machine::kSbiErrAlreadyAvailable;
    v.start_addr = start_addr;
    v.opaque = opaque;
    v.state = machine::HartState::StartPending;
  }
  cv_.notify_all();
  return machine::kSbiSuccess;
}

void VirtualMachine::hart_stop(riscv::Hart& self) {
  {
    std::lock_guard lock(mutex_);
    vcpus_[self.hartid]->state = machine::HartState::Stopped;
    self.end_batch = true;
  }
  hart_events_.notify();  // a stopped hart needs no fence: waits for it end
}

void VirtualMachine::system_reset(Reset kind) { stop(kind == Reset::Shutdown ? VmExit::Poweroff : VmExit::Reboot); }

int VirtualMachine::console_read() { return board_->uart->take_byte(); }

}  // namespace vessel::vmm
