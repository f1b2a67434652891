#include "support/pci_guest.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "support/guest_process.h"

namespace vessel::test {
namespace {

namespace fs = std::filesystem;

bool kernel_has_pci(const std::string& dir) {
  std::ifstream in(dir + "/linux-riscv64.config");
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string config = ss.str();
  return fs::exists(dir + "/Image") && fs::exists(dir + "/initramfs.cpio.gz") &&
         config.find("\nCONFIG_PCI_HOST_GENERIC=y\n") != std::string::npos &&
         config.find("\nCONFIG_VIRTIO_PCI=y\n") != std::string::npos;
}

std::string recipe_cache() {
  FILE* p = popen((std::string(VESSEL_SOURCE_DIR) + "/guest/build.sh --print-cache").c_str(), "r");
  if (!p) return {};
  char buf[4096] = {};
  const bool ok = fgets(buf, sizeof buf, p) != nullptr;
  pclose(p);
  std::string dir = ok ? buf : "";
  while (!dir.empty() && dir.back() == '\n') dir.pop_back();
  return dir;
}

}  // namespace

std::string pci_guest_dir(std::string& tried) {
  std::vector<std::string> candidates;
  if (const char* d = getenv("VESSEL_PCI_GUEST_DIR"); d && *d) candidates.push_back(d);
  candidates.push_back(guest_dir());
  candidates.push_back(recipe_cache());
  for (const auto& c : candidates) {
    if (c.empty()) continue;
    if (kernel_has_pci(c)) return c;
    tried += " " + c;
  }
  return {};
}

}  // namespace vessel::test
