#include "vmm/metrics.h"

#include <unistd.h>

#include <fstream>

#include "devices/virtio/block/block_device.h"
#include "devices/virtio/net/net_device.h"
#include "vmm/virtual_machine.h"

namespace vessel::vmm {

using nlohmann::json;

uint64_t host_rss_bytes() {
  std::ifstream in("/proc/self/statm");
  uint64_t size = 0, resident = 0;
  in >> size >> resident;
  return resident * static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
}

double VirtualMachine::vcpu_seconds(unsigned id) {
  const Vcpu& v = *vcpus_[id];
  timespec ts;
  if (!v.cpu_clock_set.load() || clock_gettime(v.cpu_clock, &ts) != 0) return 0;
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

json metrics_json(VirtualMachine& vm) {
  machine::Board& board = vm.board();
  json harts = json::array();
  double total = 0;
  uint64_t instret = 0, wfi = 0;
  for (unsigned i = 0; i < vm.vcpu_count(); ++i) {
    const double s = vm.vcpu_seconds(i);
    const riscv::Hart& h = *board.harts[i];
    total += s;
    instret += h.instret;
    wfi += h.wfi_sleeps.load(std::memory_order_relaxed);
    harts.push_back({{"hart", i}, {"vcpu_seconds", s}, {"instructions", h.instret},
                     {"wfi_sleeps", h.wfi_sleeps.load(std::memory_order_relaxed)}});
  }
  const uint64_t sbi = vm.sbi_calls(), mmio = board.as.mmio_accesses();
  json drives = json::array(), nets = json::array();
  for (size_t i = 0; i < vm.drives().size(); ++i) {
    auto* d = vm.drives()[i];
    const auto& c = d->counters;
    drives.push_back({{"index", i}, {"read_bytes", c.bytes_read}, {"write_bytes", c.bytes_written},
                      {"read_ops", c.reads}, {"write_ops", c.writes}, {"requests", c.requests},
                      {"throttled", d->limiter().throttled()}, {"guest_errors", c.guest_errors}});
  }
  for (size_t i = 0; i < vm.nics().size(); ++i) {
    auto* n = vm.nics()[i];
    const auto& c = n->net_counters();
    nets.push_back({{"index", i}, {"rx_bytes", c.rx_bytes.load()}, {"rx_packets", c.rx_packets.load()},
                    {"rx_dropped", c.rx_dropped.load()}, {"tx_bytes", c.tx_bytes.load()},
                    {"tx_packets", c.tx_packets.load()}, {"tx_dropped", c.tx_dropped.load()},
                    {"throttled", n->rx_limiter().throttled() + n->tx_limiter().throttled()}});
  }
  return json{{"ok", true},
              {"state", vm.paused() ? "paused" : "running"},
              {"uptime_seconds", vm.uptime_seconds()},
              {"vcpu_seconds", total},
              {"vcpu_throttled_seconds", static_cast<double>(vm.cpu_budget().throttled_ns()) / 1e9},
              {"harts", harts},
              {"instructions", instret},
              {"exits", sbi + mmio + wfi},
              {"exits_sbi", sbi},
              {"exits_mmio", mmio},
              {"exits_wfi", wfi},
              {"host_rss_bytes", host_rss_bytes()},
              {"guest_memory_bytes", board.as.ram().size()},
              {"drives", drives},
              {"nets", nets}};
}

}  // namespace vessel::vmm
