// 9P2000.L message numbers and constants (the protocol Linux's v9fs speaks with
// version=9p2000.L; each T-message's reply is its number + 1, errors are Rlerror).
#pragma once
#include <cstdint>

namespace vessel::devices::virtio::p9 {

enum Msg : uint8_t {
  kTlerror = 6, kRlerror = 7,
  kTstatfs = 8, kTlopen = 12, kTlcreate = 14, kTsymlink = 16, kTmknod = 18, kTrename = 20,
  kTreadlink = 22, kTgetattr = 24, kTsetattr = 26, kTxattrwalk = 30, kTxattrcreate = 32,
  kTreaddir = 40, kTfsync = 50, kTlock = 52, kTgetlock = 54, kTlink = 70, kTmkdir = 72,
  kTrenameat = 74, kTunlinkat = 76,
  kTversion = 100, kTauth = 102, kTattach = 104, kTflush = 108, kTwalk = 110, kTread = 116,
  kTwrite = 118, kTclunk = 120, kTremove = 122,
};

constexpr uint8_t kQtDir = 0x80, kQtSymlink = 0x02, kQtFile = 0x00;
constexpr uint32_t kNoFid = 0xffffffffu;
constexpr uint16_t kMaxWalkNames = 16;
constexpr uint32_t kHeaderSize = 7;   // size[4] type[1] tag[2]
constexpr uint32_t kIoHeaderSize = 24;  // Twrite's header: what msize holds besides data

// Tsetattr's valid bits.
constexpr uint32_t kSetMode = 0x1, kSetUid = 0x2, kSetGid = 0x4, kSetSize = 0x8, kSetAtime = 0x10,
                   kSetMtime = 0x20, kSetCtime = 0x40, kSetAtimeSet = 0x80, kSetMtimeSet = 0x100;
// Tgetattr's mask: everything basic (mode .. blocks).
constexpr uint64_t kGetattrBasic = 0x7ff;
// Tlock's status and Tgetlock's type.
constexpr uint8_t kLockSuccess = 0, kLockTypeUnlock = 2;

// Linux open flags as 9P2000.L carries them (the asm-generic values, which x86-64 shares).
constexpr uint32_t kOAccmode = 03, kOCreat = 0100, kOExcl = 0200, kOTrunc = 01000, kOAppend = 02000,
                   kODsync = 010000, kODirectory = 0200000, kOSync = 04000000;
constexpr uint32_t kAtRemoveDir = 0x200;

}  // namespace vessel::devices::virtio::p9
