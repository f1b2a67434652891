// Operation codes shared by the integer emitters and their table.
#pragma once

namespace vessel::jit {

enum AluOp { kAdd, kSub, kAnd, kOr, kXor, kSll, kSrl, kSra, kSlt, kSltu };
enum MulOp { kMul, kMulh, kMulhu, kMulw };
enum BranchCond { kBeq, kBne, kBlt, kBge, kBltu, kBgeu };

}  // namespace vessel::jit
