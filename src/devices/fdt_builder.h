// Thin wrapper over libfdt's sequential-write API, used by the board and by each device
// to add its own node (ARCHITECTURE.md example 5).
#pragma once
#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

namespace vessel::devices {

class FdtBuilder {
 public:
  FdtBuilder();
  void begin_node(const std::string& name);
  void end_node();
  void prop_u32(const char* name, uint32_t v);
  void prop_u64(const char* name, uint64_t v);
  void prop_cells(const char* name, std::initializer_list<uint32_t> cells);
  void prop_cells(const char* name, const std::vector<uint32_t>& cells);
  void prop_string(const char* name, const std::string& v);
  // A string list such as compatible = "a", "b".
  void prop_strings(const char* name, std::initializer_list<const char*> list);
  void prop_strings(const char* name, const std::vector<std::string>& list);
  void prop_empty(const char* name);
  // reg = <base size> with #address-cells = #size-cells = 2.
  void prop_reg(uint64_t base, uint64_t size);
  uint32_t alloc_phandle() { return next_phandle_++; }

  // Finishes the tree; the blob is packed (the loader leaves room after it).
  std::vector<uint8_t> finish();
  bool failed() const { return error_ != 0; }

 private:
  void check(int err);
  std::vector<uint8_t> buf_;
  int error_ = 0;
  uint32_t next_phandle_ = 1;
};

}  // namespace vessel::devices
