// The VMM's control-socket operations (README.md, "Control socket") against a running VM: any
// request line is answered with a JSON line, whatever its op and fields. The VM is built once
// (a bare-metal kernel idling in WFI, 16 MiB, the interpreter) and runs on its own thread.
// Ops that end the VM or leave the host (stop, shutdown, migrate) are not sent; a snapshot's
// path is moved into the target's scratch directory.
// Input: the request line.
#include <cstdint>
#include <cstdlib>
#include <thread>

#include <nlohmann/json.hpp>

#include "fuzz/support/scratch_dir.h"
#include "vmm/console.h"
#include "vmm/control_server.h"
#include "vmm/virtual_machine.h"

namespace vessel::fuzz {
namespace {

// ELF64 RISC-V executable whose code is `wfi; j .-4` at DRAM + 2 MiB.
std::vector<uint8_t> idle_kernel() {
  std::vector<uint8_t> f(0x78 + 8, 0);
  auto put = [&](size_t at, uint64_t v, int n) {
    for (int i = 0; i < n; ++i) f[at + i] = static_cast<uint8_t>(v >> (8 * i));
  };
  const uint8_t ident[] = {0x7f, 'E', 'L', 'F', 2, 1, 1, 0};
  std::copy(ident, ident + sizeof ident, f.begin());
  put(16, 2, 2), put(18, 243, 2), put(20, 1, 4), put(24, 0x80200000, 8), put(32, 64, 8);
  put(52, 64, 2), put(54, 56, 2), put(56, 1, 2), put(58, 64, 2);
  put(64, 1, 4), put(68, 5, 4), put(72, 0x78, 8), put(80, 0x80200000, 8), put(88, 0x80200000, 8);
  put(96, 8, 8), put(104, 8, 8), put(112, 4096, 8);
  put(0x78, 0xffdff06f'10500073ull, 8);  // wfi; j .-4
  return f;
}

vmm::VirtualMachine& running_vm() {
  static vmm::VirtualMachine* vm = [] {
    vmm::VmConfig config;
    config.kernel = scratch_file("idle.elf", idle_kernel());
    config.memory_bytes = 16 << 20;
    config.huge_pages = false;
    config.engine = riscv::EngineKind::Interpreter;
    static vmm::Console console(vmm::Console::Options{false, 4096});
    auto created = vmm::VirtualMachine::create(config, console);
    if (!created) {
      fprintf(stderr, "control_ops fuzzer: %s\n", created.error().c_str());
      abort();
    }
    vmm::VirtualMachine* v = created.value().release();
    std::thread([v] { v->run(); }).detach();
    return v;
  }();
  return *vm;
}

}  // namespace
}  // namespace vessel::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vessel;
  std::string line(reinterpret_cast<const char*>(data), size);
  auto request = nlohmann::json::parse(line, nullptr, false);
  if (request.is_object() && request.contains("op") && request["op"].is_string()) {
    const std::string op = request["op"];
    if (op == "stop" || op == "shutdown" || op == "migrate") return 0;
    if (op == "snapshot" && request.contains("path") && request["path"].is_string()) {
      request["path"] = fuzz::scratch_dir() + "/snapshot";
      line = request.dump();
    }
  }
  const std::string answer = vmm::ControlServer::handle(&fuzz::running_vm(), line);
  const auto parsed = nlohmann::json::parse(answer, nullptr, false);
  if (!parsed.is_object() || !parsed.contains("ok")) {
    fprintf(stderr, "control op answered with something else than a JSON object with \"ok\": %s\n", answer.c_str());
    abort();
  }
  return 0;
}
