#include "devices/virtio/mmio_transport.h"

#include <cstdio>

namespace vessel::devices::virtio {
namespace {

enum : uint64_t {
  kMagic = 0x000, kVersion = 0x004, kDeviceId = 0x008, kVendorId = 0x00c, kDeviceFeatures = 0x010,
  kDeviceFeaturesSel = 0x014, kDriverFeatures = 0x020, kDriverFeaturesSel = 0x024, kQueueSel = 0x030,
  kQueueNumMax = 0x034, kQueueNum = 0x038, kQueueReady = 0x044, kQueueNotify = 0x050, kInterruptStatus = 0x060,
  kInterruptAck = 0x064, kStatus = 0x070, kQueueDescLow = 0x080, kQueueDescHigh = 0x084, kQueueDriverLow = 0x090,
  kQueueDriverHigh = 0x094, kQueueDeviceLow = 0x0a0, kQueueDeviceHigh = 0x0a4, kConfigGeneration = 0x0fc,
  kConfig = 0x100,
};
constexpr uint32_t kMagicValue = 0x74726976;  // "virt"
constexpr uint32_t kVendor = 0x4c535356;      // "VSSL"

void set_half(uint64_t& v, bool high, uint32_t half) {
  v = high ? (v & 0xffffffffull) | (uint64_t{half} << 32) : (v & ~0xffffffffull) | half;
}

std::string label(const VirtioDevice& device, uint64_t base) {
  char s[64];
  snprintf(s, sizeof s, "virtio-%s at 0x%lx", device.name(), base);
  return s;
}

}  // namespace

MmioTransport::MmioTransport(uint64_t base, IrqLine irq, const memory::GuestRam& ram,
                             std::unique_ptr<VirtioDevice> device, EventLoop& loop)
    : base_(base), irq_source_(irq.source()), core_(label(*device, base), irq, ram, std::move(device), loop) {}

bool MmioTransport::read(uint64_t off, unsigned size, uint64_t& value) {
  std::lock_guard lock(core_.mutex());
  if (off >= kConfig) {
    value = core_.read_config(off - kConfig, size);
    return true;
  }
  if (size != 4) return false;  // registers are 32-bit
  Virtqueue* q = core_.selected_queue();
  switch (off) {
    case kMagic: value = kMagicValue; break;
    case kVersion: value = 2; break;
    case kDeviceId: value = core_.device().device_id(); break;
    case kVendorId: value = kVendor; break;
    case kDeviceFeatures: value = core_.device_features_word(); break;
    case kQueueNumMax: value = core_.selected_queue_max(); break;
    case kQueueReady: value = q ? q->ready : 0; break;
    case kInterruptStatus: value = core_.interrupt_status(); break;
    case kStatus: value = core_.status(); break;
    case kConfigGeneration: value = core_.config_generation(); break;
    default: value = 0;
  }
  return true;
}

bool MmioTransport::write(uint64_t off, unsigned size, uint64_t value) {
  if (off == kQueueNotify && size == 4) {  // hot path: no lock, just wake the I/O thread
    core_.notify(value);
    return true;
  }
  std::lock_guard lock(core_.mutex());
  if (off >= kConfig) {
    core_.write_config(off - kConfig, size, value);
    return true;
  }
  if (size != 4) return false;
  const uint32_t v = static_cast<uint32_t>(value);
  Virtqueue* q = core_.selected_queue();
  // Queue layout may only change while the queue is not live.
  const bool queue_writable = core_.selected_queue_writable();
  switch (off) {
    case kDeviceFeaturesSel: core_.device_features_sel = v; break;
    case kDriverFeaturesSel: core_.driver_features_sel = v; break;
    case kDriverFeatures: core_.write_driver_features(v); break;
    case kQueueSel: core_.queue_sel = v; break;
    case kQueueNum:
      if (queue_writable) q->size = static_cast<uint16_t>(std::min<uint32_t>(v, core_.selected_queue_max()));
      break;
    case kQueueReady:
      if (q && !(core_.status() & kStatusDriverOk)) q->ready = v & 1;
      break;
    case kQueueDescLow: case kQueueDescHigh:
      if (queue_writable) set_half(q->desc_addr, off == kQueueDescHigh, v);
      break;
    case kQueueDriverLow: case kQueueDriverHigh:
      if (queue_writable) set_half(q->avail_addr, off == kQueueDriverHigh, v);
      break;
    case kQueueDeviceLow: case kQueueDeviceHigh:
      if (queue_writable) set_half(q->used_addr, off == kQueueDeviceHigh, v);
      break;
    case kInterruptAck: core_.acknowledge(v); break;
    case kStatus: core_.write_status(v); break;
    default: break;
  }
  return true;
}

void MmioTransport::add_fdt_node(FdtBuilder& fdt, const FdtContext& ctx) const {
  char name[64];
  snprintf(name, sizeof name, "virtio_mmio@%lx", base_);
  fdt.begin_node(name);
  fdt.prop_string("compatible", "virtio,mmio");
  fdt.prop_reg(base_, kSize);
  fdt.prop_u32("interrupts", irq_source_);
  fdt.prop_u32("interrupt-parent", ctx.plic_phandle);
  fdt.end_node();
}

}  // namespace vessel::devices::virtio
