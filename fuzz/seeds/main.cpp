// vessel-fuzz-seeds DIR: writes every target's seed corpus into DIR/<target>/ (the repo's
// fuzz/corpus). Run by `make fuzz-seeds`; the files are small and committed.
#include <sys/stat.h>

#include <cstdio>
#include <fstream>

#include "fuzz/seeds/seeds.h"

int main(int argc, char** argv) {
  using namespace vessel::fuzz::seeds;
  if (argc != 2) {
    fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
    return 2;
  }
  const std::string dir = argv[1];
  const std::pair<const char*, std::vector<Seed> (*)()> targets[] = {
      {"virtio_devices", virtio_device_seeds}, {"mmio_devices", mmio_device_seeds},
      {"sbi", sbi_seeds},                      {"qcow2_images", qcow2_seeds},
      {"kernel_loader", kernel_loader_seeds},  {"snapshot_loader", snapshot_seeds},
      {"migration_stream", migration_seeds},   {"http_parser", http_seeds},
      {"rest_actions", rest_seeds},            {"oci_config", oci_seeds},
      {"cpu_differential", cpu_seeds},         {"control_ops", control_seeds},
  };
  mkdir(dir.c_str(), 0755);
  for (const auto& [target, make] : targets) {
    const std::string sub = dir + "/" + target;
    mkdir(sub.c_str(), 0755);
    for (const Seed& s : make()) {
      std::ofstream f(sub + "/seed-" + s.name, std::ios::binary | std::ios::trunc);
      f.write(reinterpret_cast<const char*>(s.bytes.data()), static_cast<std::streamsize>(s.bytes.size()));
      if (!f) {
        fprintf(stderr, "cannot write %s/seed-%s\n", sub.c_str(), s.name.c_str());
        return 1;
      }
    }
  }
  return 0;
}
