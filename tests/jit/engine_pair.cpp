#include "engine_pair.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sstream>
#include <vector>

#include "cpu/riscv/interpreter.h"
#include "jit/engine_factory.h"

namespace vessel::jit::test {
namespace {

constexpr uint32_t kWfi = 0x10500073;
constexpr uint64_t kPteV = 1, kPteR = 2, kPteW = 4, kPteX = 8, kPteU = 16, kPteA = 64, kPteD = 128;
// mepc += length of the instruction at mepc (read with MPRV, through the trapped mode's
// translation); mret. Clobbers t4-t6.
constexpr uint32_t kSkipHandler[] = {0x34102ff3, 0x00020f37, 0x300f2073, 0x000fdf03, 0x00020eb7,
                                     0x300eb073, 0x003f7f13, 0x002f8f93, 0x003f4f13, 0x000f1463,
                                     0x002f8f93, 0x341f9073, 0x30200073};
// Under paging the code's second virtual page lives elsewhere physically, and the physical
// page after the first one holds different code: translated blocks must not run on into it.
constexpr uint64_t kCodeSecondPhys = kCodePage + 0x3000;

void write64(memory::AddressSpace& as, uint64_t addr, uint64_t value) { memcpy(as.ram_ptr(addr, 8), &value, 8); }

// Sv39 identity map of the first 2 MiB of RAM with 4 KiB pages, minus the unmapped data
// page; the read-only data page has no W.
void build_page_table(memory::AddressSpace& as, bool user) {
  const uint64_t root = kPageTable, l1 = kPageTable + 0x1000, l0 = kPageTable + 0x2000;
  write64(as, root + 8 * ((kRamBase >> 30) & 511), ((l1 >> 12) << 10) | kPteV);
  write64(as, l1 + 8 * ((kRamBase >> 21) & 511), ((l0 >> 12) << 10) | kPteV);
  for (uint64_t i = 0; i < 512; ++i) {
    const uint64_t pa = kRamBase + i * 4096;
    uint64_t pte = ((pa >> 12) << 10) | kPteV | kPteR | kPteW | kPteX | kPteA | kPteD | (user ? kPteU : 0);
    if (pa == kDataBase + kUnmappedPage * 4096) pte = 0;
    if (pa == kDataBase + kReadOnlyPage * 4096) pte &= ~kPteW;
    if (pa < kDataBase) pte &= ~kPteW;  // code, handler and page tables: read and execute only
    if (pa == kCodePage + 0x1000) pte = ((kCodeSecondPhys >> 12) << 10) | (pte & 0x3ff);
    write64(as, l0 + 8 * i, pte);
  }
}

}  // namespace

TestMachine::TestMachine(const RandomProgram& p, Engine engine) {
  (void)as_.ram().map(kRamBase, kRamSize);
  memcpy(as_.ram_ptr(kTrapVector, sizeof kSkipHandler), kSkipHandler, sizeof kSkipHandler);
  std::vector<uint8_t> code = p.code;
  code.insert(code.end(), {0x73, 0x00, 0x50, 0x10});  // WFI
  const bool paging = p.mode != RandomProgram::Mode::Machine;
  for (size_t i = 0; i < code.size(); ++i) {
    const uint64_t va = p.entry + i;
    const bool second = paging && va >= kCodePage + 0x1000 && va < kCodePage + 0x2000;
    code_at_.push_back({second ? kCodeSecondPhys + (va & 0xfff) : va, code[i]});
    *as_.ram_ptr(code_at_.back().first, 1) = code[i];
    if (second) *as_.ram_ptr(va, 1) = 0x13;  // what a block running on would wrongly execute
  }
  memcpy(as_.ram_ptr(kDataBase, p.data.size()), p.data.data(), p.data.size());
  hart_ = std::make_unique<riscv::Hart>(as_, timebase_, 0);
  riscv::Hart& h = *hart_;
  h.set_cpu(riscv::kFullCpu);  // every extension, before the engine is made
  memcpy(h.x, p.x, sizeof h.x);
  memcpy(h.f, p.f, sizeof h.f);
  h.csr.frm = p.frm;
  h.csr.menvcfg = p.menvcfg;
  h.csr.senvcfg = p.senvcfg;
  h.csr.mstatus = (h.csr.mstatus & ~riscv::mstatus::kFS) | p.fs;
  h.csr.mtvec = kTrapVector;
  if (p.page_table && p.mode == RandomProgram::Mode::Machine) build_page_table(as_, true);
  if (p.mode != RandomProgram::Mode::Machine) {
    build_page_table(as_, p.mode == RandomProgram::Mode::User);
    h.priv = p.mode == RandomProgram::Mode::User ? riscv::Priv::User : riscv::Priv::Supervisor;
    h.csr.satp = (8ull << 60) | (kPageTable >> 12);
  }
  h.update_tlb_context();
  h.pc = p.entry;
  if (engine == Engine::Jit) {
    engine_ = create_engine(h, riscv::EngineKind::Jit, false);
  } else {
    auto interpreter = std::make_unique<riscv::Interpreter>(h);
    interpreter->decoded_blocks = engine == Engine::Blocks;
    engine_ = std::move(interpreter);
  }
  paging_ = paging;
  record_ = engine == Engine::Reference;
  if (record_) {
    // RAM as loaded: zero but for what was written above. Copying only that (into a buffer
    // reused across programs) spares reading, and so faulting in, 4 MiB per program.
    static std::vector<uint8_t> loaded;
    loaded.assign(kRamSize, 0);
    auto keep = [&](uint64_t pa, size_t n) { memcpy(loaded.data() + (pa - kRamBase), as_.ram_ptr(pa, n), n); };
    keep(kTrapVector, sizeof kSkipHandler);
    for (const auto& [pa, byte] : code_at_) loaded[pa - kRamBase] = byte;
    for (size_t i = 0; i < code.size(); ++i) keep(p.entry + i, 1);  // incl. the fill of the second page
    keep(kDataBase, p.data.size());
    if (paging || p.page_table) keep(kPageTable, 0x3000);
    initial_ = &loaded;
  }
}

bool TestMachine::code_unchanged() const {
  for (const auto& [addr, byte] : code_at_)
    if (*as_.ram_ptr(addr, 1) != byte) return false;
  for (const uint64_t va : executed_) {
    // Identity mapped, except the code's second virtual page under paging.
    const bool second = paging_ && va >= kCodePage + 0x1000 && va < kCodePage + 0x2000;
    const uint64_t pa = second ? kCodeSecondPhys + (va & 0xfff) : va;
    if (pa < kRamBase || pa - kRamBase > kRamSize - 4) continue;
    if (memcmp(as_.ram_ptr(pa, 4), initial_->data() + (pa - kRamBase), 4) != 0) return false;
  }
  return memcmp(as_.ram_ptr(kTrapVector, sizeof kSkipHandler), kSkipHandler, sizeof kSkipHandler) == 0;
}

void TestMachine::run(uint64_t limit) {
  riscv::Hart& h = *hart_;
  // Traps retire nothing, so allow more calls than instructions.
  for (uint64_t calls = 0; !h.waiting && h.instret < limit && calls < 2 * limit + 100000; ++calls) {
    if (record_) executed_.push_back(h.pc);
    engine_->run_batch(record_ ? 1 : limit - h.instret);
  }
}

std::string compare_engines(const RandomProgram& p, uint64_t limit, Engine engine) {
  TestMachine a(p, Engine::Reference), b(p, engine);
  a.run(limit);
  b.run(limit);
  // A program that stored into code it then ran without FENCE.I has no defined result
  // (the ISA lets instruction fetch see the old or the new bytes): not comparable.
  if (!a.code_unchanged()) return kSelfModifying;
  riscv::Hart &x = a.hart(), &y = b.hart();
  std::ostringstream out;
  out << std::hex;
  const char* tested_name = engine == Engine::Jit ? "jit" : "blocks";
  auto check = [&](const char* what, uint64_t reference, uint64_t tested) {
    if (reference != tested)
      out << "  " << what << ": reference 0x" << reference << ", " << tested_name << " 0x" << tested << "\n";
  };
  for (unsigned r = 0; r < 32; ++r) {
    char name[8];
    snprintf(name, sizeof name, "x%u", r);
    check(name, x.x[r], y.x[r]);
    snprintf(name, sizeof name, "f%u", r);
    check(name, x.f[r], y.f[r]);
  }
  check("pc", x.pc, y.pc);
  check("priv", static_cast<uint64_t>(x.priv), static_cast<uint64_t>(y.priv));
  check("instret", x.instret, y.instret);
  check("waiting", x.waiting, y.waiting);
  check("mstatus", x.csr.mstatus, y.csr.mstatus);
  check("mepc", x.csr.mepc, y.csr.mepc);
  check("mcause", x.csr.mcause, y.csr.mcause);
  check("mtval", x.csr.mtval, y.csr.mtval);
  check("fflags", x.csr.fflags, y.csr.fflags);
  check("frm", x.csr.frm, y.csr.frm);
  check("mscratch", x.csr.mscratch, y.csr.mscratch);
  check("sscratch", x.csr.sscratch, y.csr.sscratch);
  check("satp", x.csr.satp, y.csr.satp);
  check("reservation", x.reservation != nullptr, y.reservation != nullptr);
  if (memcmp(a.ram(), b.ram(), 2 << 20) != 0) {
    for (uint64_t i = 0; i < (2 << 20); ++i)
      if (a.ram()[i] != b.ram()[i]) {
        out << "  memory differs first at 0x" << kRamBase + i << "\n";
        break;
      }
  }
  return out.str();
}

}  // namespace vessel::jit::test
