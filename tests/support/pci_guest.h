// Finding a test guest whose kernel has PCI (CONFIG_PCI_HOST_GENERIC and CONFIG_VIRTIO_PCI),
// for tests of devices on virtio-pci: the shared test guest may have been built without it.
#pragma once
#include <string>

namespace vessel::test {

// VESSEL_PCI_GUEST_DIR, else the default test guest, else the guest recipe's cache: the first
// whose kernel has PCI; empty (and `tried` lists the directories looked at) if none.
std::string pci_guest_dir(std::string& tried);

}  // namespace vessel::test
