#include "devices/virtio/pci_transport.h"

#include <cstdio>

namespace vessel::devices::virtio {
namespace {

constexpr uint16_t kVendorVirtio = 0x1af4, kDeviceModernBase = 0x1040, kSubsystemModern = 0x1100;
constexpr uint8_t kCapVendor = 0x09;
constexpr uint8_t kCapCommon = 1, kCapNotify = 2, kCapIsr = 3, kCapDevice = 4, kCapPciCfg = 5;
constexpr uint16_t kNoVector = 0xffff;  // VIRTIO_MSI_NO_VECTOR: there is no MSI-X

// struct virtio_pci_common_cfg: each field's offset and size.
enum Field : unsigned {
  kDeviceFeatureSelect, kDeviceFeature, kDriverFeatureSelect, kDriverFeature, kConfigMsixVector, kNumQueues,
  kDeviceStatus, kConfigGeneration, kQueueSelect, kQueueSize, kQueueMsixVector, kQueueEnable, kQueueNotifyOff,
  kQueueDesc, kQueueDriver, kQueueDevice, kFieldCount
};
constexpr struct {
  uint8_t offset, size;
} kFields[kFieldCount] = {{0x00, 4}, {0x04, 4}, {0x08, 4}, {0x0c, 4}, {0x10, 2}, {0x12, 2}, {0x14, 1}, {0x15, 1},
                          {0x16, 2}, {0x18, 2}, {0x1a, 2}, {0x1c, 2}, {0x1e, 2}, {0x20, 8}, {0x28, 8}, {0x30, 8}};
constexpr uint32_t kCommonCfgLength = 0x38;

uint64_t low_bytes(uint64_t v, unsigned size) { return size >= 8 ? v : v & ((1ull << (8 * size)) - 1); }

uint32_t class_code(uint32_t device_id) {
  switch (device_id) {
    case 1: return 0x020000;  // network controller, Ethernet
    case 2: return 0x010000;  // mass storage, SCSI (as QEMU)
    case 3: return 0x078000;  // communication controller, other
    default: return 0xff0000;  // unassigned class
  }
}

pci::PciIdentity identity(const VirtioDevice& d) {
  return {kVendorVirtio, static_cast<uint16_t>(kDeviceModernBase + d.device_id()), 1, class_code(d.device_id()),
          kVendorVirtio, kSubsystemModern};
}

// struct virtio_pci_cap after cap_vndr and cap_next: cap_len, cfg_type, bar, id, padding,
// offset, length (and `extra` 32-bit words: notify_off_multiplier, pci_cfg_data).
std::vector<uint8_t> virtio_cap(uint8_t type, uint8_t bar, uint32_t offset, uint32_t length, unsigned extra = 0) {
  std::vector<uint8_t> b = {static_cast<uint8_t>(16 + 4 * extra), type, bar, 0, 0, 0};
  for (uint32_t v : {offset, length})
    for (int i = 0; i < 4; ++i) b.push_back(static_cast<uint8_t>(v >> (8 * i)));
  b.resize(b.size() + 4 * extra, 0);
  return b;
}

std::string label(const VirtioDevice& device, unsigned slot) {
  char s[64];
  snprintf(s, sizeof s, "virtio-%s at 00:%02x.0", device.name(), slot);
  return s;
}

}  // namespace

PciTransport::PciTransport(unsigned slot, IrqLine intx, const memory::GuestRam& ram,
                           std::unique_ptr<VirtioDevice> device, EventLoop& loop)
    : intx_(intx), config_(identity(*device)),
      core_(label(*device, slot), IrqLine(this, 0), ram, std::move(device), loop) {
  config_.add_memory_bar(kBar, kBarSize, /*is64=*/true, /*prefetchable=*/true);
  config_.set_interrupt_pin(1);  // INTA
  const uint32_t notify_length = kNotifyMultiplier * std::max(1u, core_.num_queues());
  config_.add_capability(kCapVendor, virtio_cap(kCapCommon, kBar, kCommonCfg, kCommonCfgLength));
  auto notify = virtio_cap(kCapNotify, kBar, kNotify, notify_length, 1);
  for (int i = 0; i < 4; ++i) notify[14 + i] = static_cast<uint8_t>(kNotifyMultiplier >> (8 * i));
  config_.add_capability(kCapVendor, notify);
  config_.add_capability(kCapVendor, virtio_cap(kCapIsr, kBar, kIsr, 1));
  config_.add_capability(kCapVendor, virtio_cap(kCapDevice, kBar, kDeviceCfg, 0x1000));
  // pci_cfg: the driver writes bar, offset and length, then accesses pci_cfg_data.
  std::vector<uint8_t> writable(18, 0);
  writable[2] = 0xff;                                          // bar
  for (int i = 6; i < 18; ++i) writable[i] = 0xff;             // offset, length, data
  pci_cfg_cap_ = config_.add_capability(kCapVendor, virtio_cap(kCapPciCfg, 0, 0, 0, 1), writable);
}

// --- INTx ---

void PciTransport::set_irq(unsigned, bool level) {
  std::lock_guard lock(intx_mutex_);
  intx_level_ = level;
  config_.set_interrupt_status(level);
  intx_.set(level && !config_.intx_disabled());
}

void PciTransport::update_intx() {
  std::lock_guard lock(intx_mutex_);
  intx_.set(intx_level_ && !config_.intx_disabled());
}

// --- configuration space ---

bool PciTransport::in_cfg_data(unsigned offset, unsigned size) const {
  const unsigned data = pci_cfg_cap_ + 16;
  return offset < data + 4 && offset + size > data;
}

bool PciTransport::cfg_window(uint64_t& offset, unsigned& length) const {
  const unsigned cap = pci_cfg_cap_;
  const uint32_t bar = config_.read(cap + 4, 1);
  offset = config_.read(cap + 8, 4);
  length = config_.read(cap + 12, 4);
  // The driver may only use 1-, 2- and 4-byte accesses, aligned, inside the BAR.
  return bar == kBar && (length == 1 || length == 2 || length == 4) && offset % length == 0 &&
         offset + length <= kBarSize;
}

uint32_t PciTransport::config_read(unsigned offset, unsigned size) {
  if (in_cfg_data(offset, size)) {
    uint64_t at, value = 0;
    unsigned length;
    if (cfg_window(at, length) && bar_read(kBar, at, length, value))
      config_.store(pci_cfg_cap_ + 16, 4, static_cast<uint32_t>(value));
  }
  return config_.read(offset, size);
}

void PciTransport::config_write(unsigned offset, unsigned size, uint32_t value) {
  config_.write(offset, size, value);
  if (offset <= pci::cfg::kCommand + 1 && offset + size > pci::cfg::kCommand) update_intx();
  if (in_cfg_data(offset, size)) {
    uint64_t at;
    unsigned length;
    if (cfg_window(at, length)) bar_write(kBar, at, length, config_.read(pci_cfg_cap_ + 16, 4));
  }
}

// --- the BAR ---

uint64_t PciTransport::common_get(unsigned field) {
  Virtqueue* q = core_.selected_queue();
  switch (field) {
    case kDeviceFeatureSelect: return core_.device_features_sel;
    case kDeviceFeature: return core_.device_features_word();
    case kDriverFeatureSelect: return core_.driver_features_sel;
    case kDriverFeature: return core_.driver_features_word();
    case kConfigMsixVector: return kNoVector;
    case kNumQueues: return core_.num_queues();
    case kDeviceStatus: return core_.status() & 0xff;
    case kConfigGeneration: return core_.config_generation() & 0xff;
    case kQueueSelect: return core_.queue_sel;
    // Until the driver sets a size, the queue's size is the maximum (section 4.1.4.3).
    case kQueueSize: return q ? (q->size ? q->size : core_.selected_queue_max()) : 0;
    case kQueueMsixVector: return kNoVector;
    case kQueueEnable: return q ? q->ready : 0;
    case kQueueNotifyOff: return q ? core_.queue_sel : 0;
    case kQueueDesc: return q ? q->desc_addr : 0;
    case kQueueDriver: return q ? q->avail_addr : 0;
    case kQueueDevice: return q ? q->used_addr : 0;
    default: return 0;
  }
}

void PciTransport::common_set(unsigned field, uint64_t v) {
  Virtqueue* q = core_.selected_queue();
  const bool writable = core_.selected_queue_writable();
  switch (field) {
    case kDeviceFeatureSelect: core_.device_features_sel = static_cast<uint32_t>(v); break;
    case kDriverFeatureSelect: core_.driver_features_sel = static_cast<uint32_t>(v); break;
    case kDriverFeature: core_.write_driver_features(static_cast<uint32_t>(v)); break;
    case kDeviceStatus: core_.write_status(static_cast<uint32_t>(v & 0xff)); break;
    case kQueueSelect: core_.queue_sel = static_cast<uint32_t>(v & 0xffff); break;
    case kQueueSize:
      if (writable && v) q->size = static_cast<uint16_t>(std::min<uint64_t>(v, core_.selected_queue_max()));
      break;
    case kQueueEnable:  // writing 0 is not allowed: a queue is disabled by a device reset
      if (writable && (v & 1)) {
        if (!q->size) q->size = core_.selected_queue_max();
        q->ready = true;
      }
      break;
    case kQueueDesc: if (writable) q->desc_addr = v; break;
    case kQueueDriver: if (writable) q->avail_addr = v; break;
    case kQueueDevice: if (writable) q->used_addr = v; break;
    default: break;  // read-only fields and MSI-X vectors (no MSI-X: they stay NO_VECTOR)
  }
}

bool PciTransport::bar_read(unsigned bar, uint64_t off, unsigned size, uint64_t& value) {
  value = 0;
  if (bar != kBar) return true;
  if (off >= kNotify) return true;  // notifications are write-only
  if (off >= kDeviceCfg) {
    std::lock_guard lock(core_.mutex());
    value = core_.read_config(off - kDeviceCfg, size);
    return true;
  }
  if (off >= kIsr) {
    if (off == kIsr) value = core_.take_interrupt_status();  // reading clears it
    return true;
  }
  std::lock_guard lock(core_.mutex());
  for (unsigned f = 0; f < kFieldCount; ++f) {
    const uint64_t start = kFields[f].offset, end = start + kFields[f].size;
    if (off >= start && off + size <= end) {
      value = low_bytes(common_get(f) >> (8 * (off - start)), size);
      break;
    }
  }
  return true;
}

bool PciTransport::bar_write(unsigned bar, uint64_t off, unsigned size, uint64_t value) {
  if (bar != kBar) return true;
  if (off >= kNotify) {  // hot path: no lock, just wake the I/O thread
    core_.notify((off - kNotify) / kNotifyMultiplier);
    return true;
  }
  if (off >= kDeviceCfg) {
    std::lock_guard lock(core_.mutex());
    core_.write_config(off - kDeviceCfg, size, value);
    return true;
  }
  if (off >= kIsr) return true;  // the ISR is read-only
  std::lock_guard lock(core_.mutex());
  for (unsigned f = 0; f < kFieldCount; ++f) {
    const uint64_t start = kFields[f].offset, end = start + kFields[f].size;
    if (off >= start && off + size <= end) {
      // A part of a field (the two halves of a 64-bit address) replaces just those bytes.
      const unsigned shift = static_cast<unsigned>(8 * (off - start));
      const uint64_t mask = low_bytes(~0ull, size) << shift;
      common_set(f, (common_get(f) & ~mask) | ((low_bytes(value, size) << shift) & mask));
      break;
    }
  }
  return true;
}

}  // namespace vessel::devices::virtio
