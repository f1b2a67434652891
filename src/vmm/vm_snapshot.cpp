// VirtualMachine::snapshot and ::restore: the VM as a list of per-component sections
// (docs/snapshot-format.md). Each component persists itself; this file only orders them.
#include <cstring>
#include <nlohmann/json.hpp>

#include "devices/virtio/block/block_device.h"
#include "devices/virtio/net/net_device.h"
#include "snapshot/hart_state.h"
#include "snapshot/memory_image.h"
#include "snapshot/snapshot_file.h"
#include "vmm/virtual_machine.h"
#include "vmm/vm_config_json.h"

namespace vessel::vmm {
namespace {

using snapshot::make_tag;
constexpr uint32_t kConfig = make_tag("CONF"), kTime = make_tag("TIME"), kHart = make_tag("HART"),
                   kHsm = make_tag("HSM "), kPlic = make_tag("PLIC"), kUart = make_tag("UART"),
                   kRtc = make_tag("RTC "), kVirtio = make_tag("VIRT"), kPci = make_tag("PCI "),
                   kMemory = make_tag("MEM ");
// Memory is stored uncompressed by default: restore then maps it from the file instead of
// copying (the 50 ms restore target); zstd level 1 makes the file about 3x smaller.
constexpr int kCompressedLevel = 1;

}  // namespace

void adopt_machine_config(const VmConfig& saved, VmConfig& config) {
  config.kernel = saved.kernel;
  config.initrd = saved.initrd;
  config.append = saved.append;
  config.bios = saved.bios;
  config.memory_bytes = saved.memory_bytes;
  config.cpus = saved.cpus;
  config.cpu = saved.cpu;
  config.cpu_cap = saved.cpu_cap;
  config.drives = saved.drives;
  config.nets = saved.nets;
  // The CID and bus stay (connections are reset); the host socket is where this process's
  // caller puts it, when it says (--vsock-socket, or the uds of its own --vsock).
  const std::string uds = !config.vsock_socket.empty() ? config.vsock_socket : config.vsock ? config.vsock->uds : "";
  config.vsock = saved.vsock;
  if (config.vsock && !uds.empty()) config.vsock->uds = uds;
  config.shares = saved.shares;  // the same directories; open fids are reopened by path
}

VmConfig VirtualMachine::current_config() {
  VmConfig c = config_;
  c.cpu_cap = budget_.cap();
  for (size_t i = 0; i < drives_.size() && i < c.drives.size(); ++i) {
    const RateLimits l = drives_[i]->limiter().limits();
    c.drives[i].bps = l.bytes_per_s;
    c.drives[i].iops = l.ops_per_s;
  }
  for (size_t i = 0; i < nics_.size() && i < c.nets.size(); ++i) {
    const RateLimits l = nics_[i]->tx_limiter().limits();
    c.nets[i].bps = l.bytes_per_s;
    c.nets[i].pps = l.ops_per_s;
  }
  return c;
}

std::vector<std::pair<uint32_t, std::vector<uint8_t>>> VirtualMachine::save_components() {
  std::vector<std::pair<uint32_t, std::vector<uint8_t>>> parts;
  auto add = [&](uint32_t tag, snapshot::StateWriter& w) { parts.emplace_back(tag, w.take()); };
  const std::string conf = config_to_json(current_config()).dump();
  parts.emplace_back(kConfig, std::vector<uint8_t>(conf.begin(), conf.end()));
  {
    snapshot::StateWriter w;
    w.u64(paused_ticks_);
    add(kTime, w);
  }
  for (auto& h : board_->harts) {
    snapshot::StateWriter w;
    snapshot::save_hart(*h, w);
    add(kHart, w);
  }
  {
    snapshot::StateWriter w;
    std::lock_guard lock(mutex_);
    w.u32(static_cast<uint32_t>(vcpus_.size()));
    for (auto& v : vcpus_) {
      w.u64(static_cast<uint64_t>(v->state.load()));
      w.u64(v->start_addr);
      w.u64(v->opaque);
    }
    add(kHsm, w);
  }
  {
    snapshot::StateWriter w;
    board_->plic->save_state(w);
    add(kPlic, w);
  }
  {
    snapshot::StateWriter w;
    board_->uart->save_state(w);
    add(kUart, w);
  }
  {
    snapshot::StateWriter w;
    board_->rtc->save_state(w);
    add(kRtc, w);
  }
  for (size_t slot = 0; slot < board_->virtio.size(); ++slot) {
    snapshot::StateWriter w;
    w.u32(static_cast<uint32_t>(slot));
    board_->virtio[slot]->save_state(w);
    add(kVirtio, w);
  }
  for (unsigned slot = 0; slot < devices::pci::PciRoot::kSlots; ++slot) {  // the host bridge and virtio-pci
    devices::pci::PciFunction* f = board_->pci->function(slot);
    if (!f) continue;
    snapshot::StateWriter w;
    w.u32(slot);
    f->save_state(w);
    add(kPci, w);
  }
  return parts;
}

Result<VirtualMachine::SnapshotInfo> VirtualMachine::snapshot(const std::string& path, bool compress) {
  const uint64_t t0 = Timebase::host_ns();
  const bool was_paused = paused();
  pause();
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return Error{"the VM is stopping"};
  }
  const uint64_t t_paused = Timebase::host_ns();
  // No request may be half-done: requests run to completion on the I/O thread, so stopping it
  // leaves every queue between two requests.
  const bool io_was_running = board_->io.stop();  // not yet running when restored --paused

  const std::vector<std::pair<uint32_t, std::vector<uint8_t>>> parts = save_components();
  std::vector<snapshot::SectionView> views;  // memory goes last: its file offset is known now
  for (const auto& [tag, data] : parts) views.push_back({tag, data.data(), data.size()});
  snapshot::MemoryImageStats mem;
  const memory::GuestRam& ram = board_->as.ram();
  const snapshot::EncodedMemory memory = snapshot::encode_memory_pieces(
      ram.host(), ram.size(), compress ? kCompressedLevel : 0, snapshot::section_payload_offset(views), mem);
  std::vector<snapshot::SectionPieces> sections;
  for (const auto& v : views) sections.push_back({v.tag, {{v.data, v.size}}});
  sections.push_back({kMemory, memory.spans()});
  // Stored pages are written from guest memory itself (no copy, however much the guest
  // touched), so the VM stays paused and its devices quiet until the file is written.
  double held = 0;
  bool continued = false;
  auto continue_vm = [&] {  // once the data is written, or when writing failed
    if (continued) return;
    continued = true;
    if (io_was_running) board_->io.start();
    if (!was_paused) {
      held = static_cast<double>(Timebase::host_ns() - t_paused) / 1e9;
      resume();
    }
  };
  auto written = snapshot::write_snapshot_file(path, sections, continue_vm);
  continue_vm();
  if (!written) return Error{written.error()};
  return SnapshotInfo{written.value(), mem.pages_saved, static_cast<double>(Timebase::host_ns() - t0) / 1e9, held};
}

namespace {

Result<VmConfig> config_of(const snapshot::SnapshotFile& file, const std::string& path) {
  auto conf = file.single(kConfig);
  if (!conf) return Error{"snapshot " + path + " refused: " + conf.error()};
  // JSON text only: the parser would stop at a NUL and accept what comes before it.
  const bool text = memchr(conf->data, 0, conf->size) == nullptr;
  const auto j = text ? nlohmann::json::parse(conf->data, conf->data + conf->size, nullptr, false)
                      : nlohmann::json(nullptr);
  auto parsed = config_from_json(j);
  if (!parsed) return Error{"snapshot " + path + " refused: " + parsed.error()};
  return parsed;
}

}  // namespace

Result<VmConfig> VirtualMachine::snapshot_config(const std::string& path) {
  // Only the configuration section: no checksum over the whole file (restore() verifies it).
  auto conf = snapshot::read_section_unverified(path, kConfig);
  if (!conf) {
    // A damaged file: the full check says precisely what is wrong with it.
    auto file = snapshot::SnapshotFile::open(path);
    if (!file) return Error{file.error()};
    return config_of(*file.value(), path);
  }
  const bool text = memchr(conf->data(), 0, conf->size()) == nullptr;
  const auto j = text ? nlohmann::json::parse(conf->begin(), conf->end(), nullptr, false) : nlohmann::json(nullptr);
  auto parsed = config_from_json(j);
  if (!parsed) return Error{"snapshot " + path + " refused: " + parsed.error()};
  return parsed;
}

Result<std::unique_ptr<VirtualMachine>> VirtualMachine::restore(const std::string& path, Console& console,
                                                                 VmConfig& config) {
  auto file = snapshot::SnapshotFile::open(path);
  if (!file) return Error{file.error()};
  auto parsed = config_of(*file.value(), path);
  if (!parsed) return Error{parsed.error()};
  // The machine comes from the snapshot; how to run it (trace, execution engine, huge
  // pages) from the caller.
  adopt_machine_config(parsed.value(), config);
  config.restore_from.clear();
  auto vm = assemble(config, console);
  if (!vm) return vm;
  if (auto ok = vm.value()->restore_state(*file.value()); !ok)
    return Error{"snapshot " + path + " refused: " + ok.error()};
  return vm;
}

Result<bool> VirtualMachine::restore_state(const snapshot::SnapshotFile& file) {
  memory::GuestRam& ram = board_->as.ram();
  auto mem = file.single(kMemory);
  if (!mem) return Error{mem.error()};
  std::string error;
  const snapshot::MemoryImageFile source{file.fd(), file.file_offset(mem->data)};
  if (!snapshot::decode_memory(mem->data, mem->size, ram.host(), ram.size(), error, nullptr,
                               file.fd() >= 0 ? &source : nullptr))
    return Error{error};
  return restore_components(file);
}

Result<bool> VirtualMachine::restore_components(const snapshot::SnapshotFile& file) {
  // Everything is checked before the VM runs; a section that does not fit is an error.
  auto section = [&](uint32_t tag, const std::string& what, const std::function<bool(snapshot::StateReader&)>& fn)
      -> Result<bool> {
    auto s = file.single(tag);
    if (!s) return Error{s.error()};
    snapshot::StateReader in(s->data, s->size, what);
    if (!fn(in) || !in.finish()) return Error{in.error()};
    return true;
  };
  const auto harts = file.all(kHart);
  if (harts.size() != board_->harts.size())
    return Error{std::to_string(harts.size()) + " hart sections for " + std::to_string(board_->harts.size()) + " harts"};
  for (size_t i = 0; i < harts.size(); ++i) {
    snapshot::StateReader in(harts[i].data, harts[i].size, "hart " + std::to_string(i));
    if (!snapshot::restore_hart(*board_->harts[i], in)) return Error{in.error()};
  }
  if (auto ok = section(kHsm, "hart states", [&](snapshot::StateReader& in) {
        if (in.u32() != vcpus_.size()) in.fail("number of harts differs");
        for (auto& v : vcpus_) {
          const uint64_t state = in.bounded(in.u64(), 5, "hart state");
          v->state = static_cast<machine::HartState>(state);
          v->start_addr = in.u64();
          v->opaque = in.u64();
        }
        return in.ok();
      });
      !ok)
    return ok;
  if (auto ok = section(kPlic, "PLIC", [&](auto& in) { return board_->plic->restore_state(in); }); !ok) return ok;
  if (auto ok = section(kUart, "UART", [&](auto& in) { return board_->uart->restore_state(in); }); !ok) return ok;
  if (auto ok = section(kRtc, "RTC", [&](auto& in) { return board_->rtc->restore_state(in); }); !ok) return ok;
  const auto virtio = file.all(kVirtio);
  if (virtio.size() != board_->virtio.size())
    return Error{std::to_string(virtio.size()) + " virtio sections for " + std::to_string(board_->virtio.size()) +
                 " devices"};
  for (size_t i = 0; i < virtio.size(); ++i) {
    snapshot::StateReader in(virtio[i].data, virtio[i].size, "virtio slot " + std::to_string(i));
    if (in.u32() != i) in.fail("slots out of order");
    if (!in.ok() || !board_->virtio[i]->restore_state(in)) return Error{in.error()};
  }
  std::vector<unsigned> pci_slots;
  for (unsigned slot = 0; slot < devices::pci::PciRoot::kSlots; ++slot)
    if (board_->pci->function(slot)) pci_slots.push_back(slot);
  const auto pci = file.all(kPci);
  // Snapshots from before PCI have no section: then the bus holds only the host bridge.
  if (pci.size() != pci_slots.size() && !(pci.empty() && pci_slots.size() == 1))
    return Error{std::to_string(pci.size()) + " PCI sections for " + std::to_string(pci_slots.size()) + " functions"};
  for (size_t i = 0; i < pci.size(); ++i) {
    snapshot::StateReader in(pci[i].data, pci[i].size, "PCI slot " + std::to_string(pci_slots[i]));
    if (in.u32() != pci_slots[i]) in.fail("slots out of order");
    if (!in.ok() || !board_->pci->function(pci_slots[i])->restore_state(in) || !in.finish()) return Error{in.error()};
  }
  board_->pci->update_decoding();
  uint64_t ticks = 0;
  if (auto ok = section(kTime, "time", [&](auto& in) {
        ticks = in.u64();
        return in.ok();
      });
      !ok)
    return ok;
  // Guest time continues from the tick the snapshot stopped at: never backwards, no jump.
  board_->timebase.set(ticks);
  paused_ticks_ = ticks;
  return true;
}

void VirtualMachine::start_paused() {
  std::lock_guard lock(mutex_);
  paused_ = true;
  paused_ticks_ = board_->timebase.now();
  for (auto& h : board_->harts) h->park_requested = true;
}

}  // namespace vessel::vmm
