// The SBI call surface of the built-in firmware: ECALLs from S-mode with arbitrary a0..a7 on
// any hart of a 4-hart board (base, legacy, TIME, IPI, RFENCE, HSM, SRST, DBCN), with guest
// RAM the DBCN calls read and write.
// Input: u16 length and bytes stored at the start of RAM, then calls: u8 hart, a0..a7 (u64).
#include <cstdint>
#include <cstring>

#include "fuzz/support/fuzz_board.h"
#include "fuzz/support/fuzz_input.h"
#include "machine/sbi.h"

namespace vessel::fuzz {
namespace {

// What the VMM provides to the firmware, kept as plain state: harts start and stop as asked,
// the console has whatever input the fuzzer gave it.
class FuzzPlatform : public machine::SbiPlatform {
 public:
  FuzzPlatform(machine::Board& board, std::vector<uint8_t> console_input)
      : board_(board), states_(board.harts.size(), machine::HartState::Stopped), input_(std::move(console_input)) {
    states_[0] = machine::HartState::Started;
  }
  unsigned hart_count() const override { return static_cast<unsigned>(board_.harts.size()); }
  riscv::Hart& hart(unsigned id) override { return *board_.harts.at(id); }
  int64_t hart_start(unsigned id, uint64_t, uint64_t) override {
    if (id >= states_.size()) return machine::kSbiErrInvalidParam;
    if (states_[id] != machine::HartState::Stopped) return machine::kSbiErrAlreadyAvailable;
    states_[id] = machine::HartState::Started;
    return machine::kSbiSuccess;
  }
  void hart_stop(riscv::Hart& self) override { states_.at(self.hartid) = machine::HartState::Stopped; }
  machine::HartState hart_state(unsigned id) override { return states_.at(id); }
  void remote_sfence(uint64_t, riscv::Hart&) override {}
  void remote_fence_i(uint64_t, riscv::Hart&) override {}
  void system_reset(Reset) override {}
  void console_write(const uint8_t*, size_t) override {}
  int console_read() override { return next_ < input_.size() ? input_[next_++] : -1; }

 private:
  machine::Board& board_;
  std::vector<machine::HartState> states_;
  std::vector<uint8_t> input_;
  size_t next_ = 0;
};

}  // namespace
}  // namespace vessel::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vessel;
  using namespace vessel::fuzz;
  FuzzInput in(data, size);
  auto board = make_fuzz_board(4);
  const auto ram_bytes = in.bytes(in.u16());
  if (!ram_bytes.empty()) memcpy(board->as.ram().host(), ram_bytes.data(), ram_bytes.size());
  FuzzPlatform platform(*board, {'f', 'u', 'z', 'z'});
  machine::SbiFirmware firmware(platform);
  for (auto& hart : board->harts) {
    machine::SbiFirmware::prepare_hart(*hart);
    hart->priv = riscv::Priv::Supervisor;
  }
  while (!in.empty()) {
    riscv::Hart& hart = *board->harts[in.u8() % board->harts.size()];
    for (unsigned r = 10; r <= 17; ++r) hart.x[r] = in.u64();  // a0..a7
    hart.trapped = false;
    if (!firmware.supervisor_ecall(hart)) abort();
  }
  return 0;
}
