// Operation codes shared by the integer emitters and their table.
#pragma once

namespace vessel::jit {

enum AluOp { kAdd, kSub, kAnd, kOr, kXor, kSll, kSrl, kSra, kSlt, kSltu };
enum MulOp { kMul, kMulh, kMulhu, kMulw };
enum BranchCond { kBeq, kBne, kBlt, kBge, kBltu, kBgeu };
// Zba/Zbb/Zbs (emit_bitmanip.cpp).
enum LogicNotOp { kAndn, kOrn, kXnor };
enum MinMaxOp { kMin, kMinu, kMax, kMaxu };
enum UnaryOp { kClz, kCtz, kCpop, kClzw, kCtzw, kCpopw, kRev8, kSextB, kSextH, kZextH };
enum RotateOp { kRol, kRor, kRori, kRolw, kRorw, kRoriw };
enum SingleBitOp { kBclr, kBinv, kBset, kBext, kBclri, kBinvi, kBseti, kBexti };
// F and D (emit_fp_*.cpp).
enum FpArithOp { kFAdd, kFSub, kFMul, kFDiv };
enum FpFusedOp { kFMAdd, kFMSub, kFNMSub, kFNMAdd };
enum FpCompareOp { kFEq, kFLt, kFLe };
enum FpSignOp { kFSgnj, kFSgnjn, kFSgnjx };
enum FpIntKind { kToW, kToWU, kToL, kToLU };  // the integer side of a conversion
enum CsrOp { kCsrWrite, kCsrSet, kCsrClear };

}  // namespace vessel::jit
