// CSR addresses and the bit layout of the status and interrupt registers (privileged spec 1.12).
#pragma once
#include <cstdint>

namespace vessel::riscv::csr {

enum : uint16_t {
  kFflags = 0x001, kFrm = 0x002, kFcsr = 0x003,
  kCycle = 0xC00, kTime = 0xC01, kInstret = 0xC02, kHpmcounter3 = 0xC03, kHpmcounter31 = 0xC1F,
  kSstatus = 0x100, kSie = 0x104, kStvec = 0x105, kScounteren = 0x106, kSenvcfg = 0x10A,
  kSscratch = 0x140, kSepc = 0x141, kScause = 0x142, kStval = 0x143, kSip = 0x144, kStimecmp = 0x14D,
  kSatp = 0x180,
  kMvendorid = 0xF11, kMarchid = 0xF12, kMimpid = 0xF13, kMhartid = 0xF14, kMconfigptr = 0xF15,
  kMstatus = 0x300, kMisa = 0x301, kMedeleg = 0x302, kMideleg = 0x303, kMie = 0x304, kMtvec = 0x305,
  kMcounteren = 0x306, kMenvcfg = 0x30A, kMcountinhibit = 0x320, kMhpmevent3 = 0x323, kMhpmevent31 = 0x33F,
  kMscratch = 0x340, kMepc = 0x341, kMcause = 0x342, kMtval = 0x343, kMip = 0x344,
  kPmpcfg0 = 0x3A0, kPmpcfg15 = 0x3AF, kPmpaddr0 = 0x3B0, kPmpaddr63 = 0x3EF,
  kMseccfg = 0x747,
  kTselect = 0x7A0, kTdata1 = 0x7A1, kTdata2 = 0x7A2, kTdata3 = 0x7A3,
  kMcycle = 0xB00, kMinstret = 0xB02, kMhpmcounter3 = 0xB03, kMhpmcounter31 = 0xB1F,
};

}  // namespace vessel::riscv::csr

namespace vessel::riscv::mstatus {
constexpr uint64_t kSIE = 1ull << 1, kMIE = 1ull << 3, kSPIE = 1ull << 5, kUBE = 1ull << 6, kMPIE = 1ull << 7,
                   kSPP = 1ull << 8, kVS = 3ull << 9, kMPP = 3ull << 11, kFS = 3ull << 13, kXS = 3ull << 15,
                   kMPRV = 1ull << 17, kSUM = 1ull << 18, kMXR = 1ull << 19, kTVM = 1ull << 20, kTW = 1ull << 21,
                   kTSR = 1ull << 22, kUXL = 3ull << 32, kSXL = 3ull << 34, kSBE = 1ull << 36, kMBE = 1ull << 37,
                   kSD = 1ull << 63;
constexpr unsigned kMPPShift = 11, kFSShift = 13;
// Fields visible through sstatus.
constexpr uint64_t kSstatusMask = kSIE | kSPIE | kUBE | kSPP | kVS | kFS | kXS | kSUM | kMXR | kUXL | kSD;
}  // namespace vessel::riscv::mstatus

namespace vessel::riscv::envcfg {
// menvcfg/senvcfg fields (privileged spec 1.12+, Zicbom/Zicboz, Svpbmt, Sstc).
constexpr uint64_t kFIOM = 1, kCBIE = 3ull << 4, kCBCFE = 1ull << 6, kCBZE = 1ull << 7, kPBMTE = 1ull << 62,
                   kSTCE = 1ull << 63;
}  // namespace vessel::riscv::envcfg

namespace vessel::riscv::irq {
constexpr unsigned kSSI = 1, kMSI = 3, kSTI = 5, kMTI = 7, kSEI = 9, kMEI = 11;
constexpr uint64_t kSSIP = 1ull << kSSI, kMSIP = 1ull << kMSI, kSTIP = 1ull << kSTI, kMTIP = 1ull << kMTI,
                   kSEIP = 1ull << kSEI, kMEIP = 1ull << kMEI;
constexpr uint64_t kSupervisorMask = kSSIP | kSTIP | kSEIP;
constexpr uint64_t kAllMask = kSupervisorMask | kMSIP | kMTIP | kMEIP;
}  // namespace vessel::riscv::irq
