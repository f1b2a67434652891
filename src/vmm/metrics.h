// Per-VM accounting for the control socket's "metrics" op (and vesseld's Prometheus export):
// vCPU time from the vCPU threads' CPU clocks, instructions retired, exits, host RSS, and
// per-device I/O counters. "Exits" are the events where a software CPU leaves guest code for
// the monitor: SBI calls, MMIO register accesses and WFI sleeps (each also reported alone).
#pragma once
#include <nlohmann/json.hpp>

namespace vessel::vmm {

class VirtualMachine;

nlohmann::json metrics_json(VirtualMachine& vm);
// Resident set size of this process, in bytes (/proc/self/statm).
uint64_t host_rss_bytes();

}  // namespace vessel::vmm
