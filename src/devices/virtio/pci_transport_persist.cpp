// Snapshot persistence of a virtio-pci function: its configuration space (command register,
// BAR placement, the pci_cfg capability's fields), then the transport state virtio-mmio saves
// too. The PCI root recomputes BAR decoding once every function is restored.
#include "devices/virtio/pci_transport.h"
#include "snapshot/state_stream.h"

namespace vessel::devices::virtio {

void PciTransport::save_state(snapshot::StateWriter& out) {
  config_.save_state(out);
  core_.save_state(out);
}

bool PciTransport::restore_state(snapshot::StateReader& in) {
  if (!config_.restore_state(in)) return false;
  if (!core_.restore_state(in)) return false;
  update_intx();
  return true;
}

}  // namespace vessel::devices::virtio
