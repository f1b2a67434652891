// The seed generator (fuzz/seeds/main.cpp): writes each target's starting corpus into
// fuzz/corpus/<target>/, built from Vessel's own writers and hand-made driver scripts.
#pragma once
#include <functional>
#include <string>
#include <vector>

namespace vessel::fuzz::seeds {

struct Seed {
  std::string name;
  std::vector<uint8_t> bytes;
};

std::vector<Seed> virtio_device_seeds();
std::vector<Seed> mmio_device_seeds();
std::vector<Seed> sbi_seeds();
std::vector<Seed> qcow2_seeds();
std::vector<Seed> kernel_loader_seeds();
std::vector<Seed> snapshot_seeds();
std::vector<Seed> migration_seeds();
std::vector<Seed> http_seeds();
std::vector<Seed> rest_seeds();
std::vector<Seed> oci_seeds();
std::vector<Seed> cpu_seeds();
std::vector<Seed> control_seeds();

}  // namespace vessel::fuzz::seeds
