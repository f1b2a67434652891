// A private directory for the files a fuzz target needs (disk images, kernels), in /dev/shm
// when there is one; removed with its files when the process ends.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace vessel::fuzz {

// The directory, created on first use.
const std::string& scratch_dir();
// Writes `bytes` to scratch_dir()/name (replacing it) and returns the path.
std::string scratch_file(const std::string& name, const std::vector<uint8_t>& bytes);
std::string scratch_file(const std::string& name, const uint8_t* data, size_t size);

}  // namespace vessel::fuzz
