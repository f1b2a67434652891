// Random guest programs for the differential test: instruction words drawn from every
// encoding table (and RVC), with registers pointing at data pages next to page
// boundaries, an unmapped and a read-only page, and forward-only branches.
#pragma once
#include <cstdint>
#include <random>
#include <vector>

namespace vessel::jit::test {

constexpr uint64_t kRamBase = 0x80000000;
constexpr uint64_t kRamSize = 4 << 20;
constexpr uint64_t kTrapVector = kRamBase;  // M-mode handler: skips the trapping instruction
constexpr uint64_t kPageTable = kRamBase + 0x10000;  // Sv39 root (+ two lower levels)
constexpr uint64_t kCodePage = kRamBase + 0x20000;   // code may straddle into the next page
constexpr uint64_t kDataBase = kRamBase + 0x40000;   // 8 data pages
constexpr unsigned kDataPages = 8;
constexpr unsigned kUnmappedPage = 5, kReadOnlyPage = 6;  // under paging

struct RandomProgram {
  uint64_t entry = 0;
  std::vector<uint8_t> code;  // placed at `entry`, followed by WFI
  std::vector<uint8_t> data;  // contents of the data pages
  uint64_t x[32] = {};
  uint64_t f[32] = {};
  uint8_t frm = 0;
  uint64_t fs = 3ull << 13;  // mstatus.FS at the start (Dirty)
  // Cache-block operation enables (CBIE, CBCFE, CBZE) and PBMTE: random subsets, so S- and
  // U-mode programs both run and trap on cbo.*.
  uint64_t menvcfg = 0, senvcfg = 0;
  enum class Mode { Machine, Supervisor, User } mode = Mode::Machine;  // S and U run under Sv39
  bool page_table = false;  // build the (user) Sv39 tables for an M-mode program too (satp stays 0)
};

RandomProgram make_random_program(std::mt19937_64& rng, unsigned instructions);

}  // namespace vessel::jit::test
