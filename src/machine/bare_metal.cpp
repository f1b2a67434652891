#include "machine/bare_metal.h"

#include <cstdio>
#include <fstream>
#include <functional>
#include <memory>
#include <optional>

#include "common/timebase.h"
#include "cpu/riscv/hart.h"
#include "devices/clint.h"
#include "devices/sifive_test.h"
#include "devices/uart16550.h"
#include "gdb/gdb_session.h"
#include "gdb/stepper.h"
#include "machine/elf_loader.h"
#include "machine/htif.h"
#include "machine/memory_map.h"
#include "jit/engine_factory.h"

namespace vessel::machine {
namespace {

constexpr uint64_t kBatch = 1024;

bool write_signature(const memory::AddressSpace& as, uint64_t begin, uint64_t end, unsigned granularity,
                     const std::string& path, std::string& error) {
  std::ofstream out(path);
  if (!out) {
    error = "cannot write signature file " + path;
    return false;
  }
  for (uint64_t a = begin; a < end; a += granularity) {
    char line[2 * 16 + 2];
    unsigned n = 0;
    for (unsigned j = granularity; j > 0; --j) {  // most significant byte first
      uint64_t byte = 0;
      if (!as.read(a + j - 1, 1, byte)) byte = 0;
      n += snprintf(line + n, sizeof line - n, "%02lx", byte);
    }
    out << line << '\n';
  }
  return true;
}

// The debugger's view of the bare-metal machine: one hart, run in this thread.
class BareMetalDebugTarget final : public gdb::DebugTarget {
 public:
  BareMetalDebugTarget(riscv::Hart& hart, memory::AddressSpace& as, std::function<void(gdb::RspConnection&)> run_free,
                       std::function<std::optional<int>()> finished)
      : hart_(hart), as_(as), stepper_({&hart}, as), run_free_(std::move(run_free)), finished_(std::move(finished)) {}
  unsigned hart_count() override { return 1; }
  riscv::Hart& hart(unsigned) override { return hart_; }
  memory::AddressSpace& memory() override { return as_; }
  gdb::StopEvent run(std::optional<unsigned> step, gdb::DebugPoints& points, gdb::RspConnection& client) override {
    gdb::StopEvent e;
    if (step || !points.empty()) {
      e = stepper_.run(step, points, client, {[](unsigned) { return true; }, finished_});
    } else {
      run_free_(client);  // at full speed: nothing to check per instruction
      e.kind = gdb::StopEvent::Kind::Interrupted;
    }
    if (auto code = finished_()) {
      e.kind = gdb::StopEvent::Kind::Exited;
      e.exit_code = *code;
    }
    return e;
  }
  void code_changed() override { hart_.code_epoch->fetch_add(1, std::memory_order_release); }
  void kill() override { killed_ = true; }
  bool killed() const { return killed_; }

 private:
  riscv::Hart& hart_;
  memory::AddressSpace& as_;
  gdb::Stepper stepper_;
  std::function<void(gdb::RspConnection&)> run_free_;
  std::function<std::optional<int>()> finished_;
  bool killed_ = false;
};

}  // namespace

BareMetalOutcome run_bare_metal(const BareMetalOptions& opt) {
  memory::AddressSpace as;
  if (auto err = as.ram().map(map::kDramBase, opt.memory_bytes); !err.empty())
    return {BareMetalExit::BadInput, 0, err};
  auto image = load_elf(opt.elf_path, as);
  if (!image) return {BareMetalExit::BadInput, 0, image.error()};

  Timebase timebase;
  riscv::Hart hart(as, timebase, 0);
  hart.set_cpu(opt.cpu);
  hart.pc = image->entry;
  devices::Clint clint(map::kClint.base, timebase, {&hart});
  devices::SifiveTest test_device(map::kTest.base);
  // A console UART for programs that print through it (output only: no interrupt controller).
  devices::Uart16550 uart(map::kUart0.base, devices::IrqLine(), [](const uint8_t* d, size_t n) {
    fwrite(d, 1, n, stdout);
    fflush(stdout);
  });
  if (!as.add_mmio(map::kClint.base, map::kClint.size, &clint) ||
      !as.add_mmio(map::kTest.base, map::kTest.size, &test_device) ||
      !as.add_mmio(map::kUart0.base, map::kUart0.size, &uart))
    return {BareMetalExit::BadInput, 0, "internal error: overlapping device windows"};

  std::unique_ptr<Htif> htif;
  if (auto tohost = image->symbol("tohost")) htif = std::make_unique<Htif>(as, *tohost, image->symbol("fromhost"));

  const auto engine = jit::create_engine(hart, opt.engine, opt.trace);
  uint64_t executed = 0;
  BareMetalOutcome outcome{BareMetalExit::Timeout, 0, {}};
  // The program's end (HTIF or the test device), once seen; it stays the outcome.
  std::optional<BareMetalOutcome> ended;
  auto finished = [&]() -> std::optional<int> {
    if (!ended && htif) {
      if (auto code = htif->poll())
        ended = *code == 0 ? BareMetalOutcome{BareMetalExit::Pass, 0, {}} : BareMetalOutcome{BareMetalExit::Fail, *code, {}};
    }
    if (!ended && test_device.request() != devices::SifiveTest::Request::None) {
      const bool pass = test_device.request() == devices::SifiveTest::Request::Poweroff;
      ended = pass ? BareMetalOutcome{BareMetalExit::Pass, 0, {}}
                   : BareMetalOutcome{BareMetalExit::Fail, test_device.exit_code(), {}};
    }
    if (!ended) return std::nullopt;
    return ended->exit == BareMetalExit::Pass ? 0 : ended->code;
  };
  // Runs batches until the end, the instruction limit, or `interrupted()` (a debugger's Ctrl-C).
  auto run_free = [&](const std::function<bool()>& interrupted) {
    for (;;) {
      if (hart.waiting) hart.wait_for_interrupt();  // (Ctrl-C is seen once the hart wakes)
      hart.update_timer_interrupts();
      hart.take_interrupt();
      uint64_t budget = kBatch;
      if (opt.max_instructions) {
        if (executed >= opt.max_instructions) return;
        budget = std::min(budget, opt.max_instructions - executed);
      }
      executed += engine->run_batch(budget);
      if (finished() || (interrupted && interrupted())) return;
    }
  };
  if (!opt.gdb.empty()) {
    std::string error;
    const int fd = gdb::accept_gdb_client(opt.gdb, error);
    if (fd < 0) return {BareMetalExit::BadInput, 0, error};
    gdb::RspConnection client(fd);
    BareMetalDebugTarget target(hart, as, [&](gdb::RspConnection& c) {
      run_free([&c] { return c.interrupt_pending(); });
    }, finished);
    gdb::GdbSession session(client, target);
    const bool detached = session.serve();
    if (target.killed()) return {BareMetalExit::Fail, 137, "killed by the debugger"};
    if (detached && !ended) run_free(nullptr);
  } else {
    run_free(nullptr);
  }
  if (ended) outcome = *ended;
  if (outcome.exit == BareMetalExit::Timeout) {
    char msg[128];
    snprintf(msg, sizeof msg, "instruction limit reached (%lu instructions) at pc 0x%lx", executed, hart.pc);
    outcome.message = msg;
  }

  if (!opt.signature_path.empty()) {
    auto begin = image->symbol("begin_signature"), end = image->symbol("end_signature");
    std::string err;
    if (!begin || !end) {
      outcome = {BareMetalExit::BadInput, 0, opt.elf_path + ": no begin_signature/end_signature symbols"};
    } else if (!write_signature(as, *begin, *end, opt.signature_granularity, opt.signature_path, err)) {
      outcome = {BareMetalExit::BadInput, 0, err};
    }
  }
  return outcome;
}

}  // namespace vessel::machine
