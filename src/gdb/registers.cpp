#include "gdb/registers.h"

#include <string_view>

#include "cpu/riscv/csr_numbers.h"

namespace vessel::gdb {

namespace {

constexpr const char* kGprNames[32] = {"zero", "ra", "sp", "gp", "tp",  "t0",  "t1", "t2", "fp", "s1", "a0",
                                       "a1",   "a2", "a3", "a4", "a5",  "a6",  "a7", "s2", "s3", "s4", "s5",
                                       "s6",   "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6"};
constexpr const char* kFprNames[32] = {"ft0", "ft1", "ft2",  "ft3",  "ft4", "ft5", "ft6",  "ft7",
                                       "fs0", "fs1", "fa0",  "fa1",  "fa2", "fa3", "fa4",  "fa5",
                                       "fa6", "fa7", "fs2",  "fs3",  "fs4", "fs5", "fs6",  "fs7",
                                       "fs8", "fs9", "fs10", "fs11", "ft8", "ft9", "ft10", "ft11"};
constexpr unsigned kFflags = 65, kFrm = 66, kFcsr = 67;

struct CsrRegister {
  const char* name;
  uint16_t number;
};
// Numbered from 68 on; read and written through the hart's own CSR access.
constexpr CsrRegister kCsrs[] = {
    {"mstatus", 0x300}, {"misa", 0x301},    {"medeleg", 0x302}, {"mideleg", 0x303}, {"mie", 0x304},
    {"mtvec", 0x305},   {"mscratch", 0x340}, {"mepc", 0x341},   {"mcause", 0x342},  {"mtval", 0x343},
    {"mip", 0x344},     {"sstatus", 0x100}, {"sie", 0x104},     {"stvec", 0x105},   {"sscratch", 0x140},
    {"sepc", 0x141},    {"scause", 0x142},  {"stval", 0x143},   {"sip", 0x144},     {"satp", 0x180},
    {"mhartid", 0xf14}, {"cycle", 0xc00},   {"time", 0xc01},    {"instret", 0xc02},
};
constexpr unsigned kFirstCsr = 68;
constexpr unsigned kPriv = kFirstCsr + sizeof kCsrs / sizeof kCsrs[0];

std::string reg(const std::string& name, unsigned regno, const char* type, const char* group = nullptr) {
  std::string r = "<reg name=\"" + name + "\" bitsize=\"64\" regnum=\"" + std::to_string(regno) + "\" type=\"" + type + "\"";
  if (group) r += std::string(" group=\"") + group + "\"";
  return r + "/>";
}

}  // namespace

std::string target_description_xml() {
  std::string x = "<?xml version=\"1.0\"?><!DOCTYPE target SYSTEM \"gdb-target.dtd\"><target version=\"1.0\">"
                  "<architecture>riscv:rv64</architecture><feature name=\"org.gnu.gdb.riscv.cpu\">";
  for (unsigned i = 0; i < 32; ++i) x += reg(kGprNames[i], i, i == 1 ? "code_ptr" : i == 2 || i == 8 ? "data_ptr" : "int");
  x += reg("pc", kPcRegister, "code_ptr");
  x += "</feature><feature name=\"org.gnu.gdb.riscv.fpu\">";
  for (unsigned i = 0; i < 32; ++i) x += reg(kFprNames[i], kFirstFpRegister + i, "ieee_double", "float");
  x += "<reg name=\"fflags\" bitsize=\"32\" regnum=\"65\" type=\"int\" group=\"float\"/>"
       "<reg name=\"frm\" bitsize=\"32\" regnum=\"66\" type=\"int\" group=\"float\"/>"
       "<reg name=\"fcsr\" bitsize=\"32\" regnum=\"67\" type=\"int\" group=\"float\"/>";
  x += "</feature><feature name=\"org.gnu.gdb.riscv.csr\">";
  for (unsigned i = 0; i < sizeof kCsrs / sizeof kCsrs[0]; ++i) x += reg(kCsrs[i].name, kFirstCsr + i, "int", "csr");
  x += "</feature><feature name=\"org.gnu.gdb.riscv.virtual\">";
  x += reg("priv", kPriv, "int", "general");
  return x + "</feature></target>";
}

std::optional<uint64_t> read_register(riscv::Hart& h, unsigned regno) {
  if (regno < 32) return h.x[regno];
  if (regno == kPcRegister) return h.pc;
  if (regno >= kFirstFpRegister && regno < kFirstFpRegister + 32) return h.f[regno - kFirstFpRegister];
  if (regno == kFflags) return h.csr.fflags;
  if (regno == kFrm) return h.csr.frm;
  if (regno == kFcsr) return (uint64_t{h.csr.frm} << 5) | h.csr.fflags;
  if (regno >= kFirstCsr && regno < kPriv) {
    uint64_t v = 0;
    if (!h.csr_read(kCsrs[regno - kFirstCsr].number, v)) return std::nullopt;
    return v;
  }
  if (regno == kPriv) return static_cast<uint64_t>(h.priv);
  return std::nullopt;
}

bool write_register(riscv::Hart& h, unsigned regno, uint64_t v) {
  if (regno == 0) return true;  // x0 stays zero
  if (regno < 32) {
    h.x[regno] = v;
    return true;
  }
  if (regno == kPcRegister) {
    h.pc = v;
    return true;
  }
  if (regno >= kFirstFpRegister && regno < kFirstFpRegister + 32) {
    h.f[regno - kFirstFpRegister] = v;
    return true;
  }
  if (regno == kFflags) h.csr.fflags = static_cast<uint8_t>(v & 0x1f);
  else if (regno == kFrm) h.csr.frm = static_cast<uint8_t>(v & 7);
  else if (regno == kFcsr) {
    h.csr.fflags = static_cast<uint8_t>(v & 0x1f);
    h.csr.frm = static_cast<uint8_t>((v >> 5) & 7);
  } else if (regno >= kFirstCsr && regno < kPriv) {
    return h.csr_write(kCsrs[regno - kFirstCsr].number, v);
  } else if (regno == kPriv) {
    if (v != 0 && v != 1 && v != 3) return false;
    h.priv = static_cast<riscv::Priv>(v);
    h.update_tlb_context();
  } else {
    return false;
  }
  return true;
}

}  // namespace vessel::gdb
