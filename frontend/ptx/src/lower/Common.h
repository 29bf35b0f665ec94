// Helpers shared by the instruction families: reading PTX's floating-point modifiers and
// emitting the operations several families need.
#pragma once

#include "FunctionLowering.h"

#include <llvm/IR/Intrinsics.h>

namespace drawbridge::ptx::nvvm {

enum class Rounding : uint8_t { None, Rn, Rz, Rm, Rp, Rna };

struct FloatMode {
  Rounding rounding = Rounding::None;
  bool ftz = false;
  bool sat = false;
  bool approx = false;
};

FloatMode floatMode(const Instruction& inst);

/// The instruction's type: its first type modifier. Reports an error when there is none.
std::optional<ScalarType> instructionType(FunctionLowering& L, const Instruction& inst);

/// Reads operands [first, first+count) as `type`; nullopt (with an error reported) on failure.
std::optional<std::vector<llvm::Value*>> readOperands(FunctionLowering& L, const Instruction& inst,
                                                      size_t first, size_t count, ScalarType type);

/// The type of `op.type d, a, b, ...` and its source operands read as that type.
struct Sources {
  ScalarType type;
  std::vector<llvm::Value*> values;
};
/// Checks for exactly `operands` operands and a type, then reads operands 1 .. `sources`;
/// nullopt (with an error reported) when any of that fails.
std::optional<Sources> typedSources(FunctionLowering& L, const Instruction& inst, size_t operands,
                                    size_t sources);

/// Clamps to [0.0, 1.0], NaN to +0.0, as .sat does for floating-point results.
llvm::Value* saturate(FunctionLowering& L, llvm::Value* v);

/// .relu on an f16/bf16 result, one value or a packed pair: negative values become +0 and a NaN
/// the canonical NaN 0x7fff (fma.rn.relu.f16x2 and cvt.rn.relu.f16.f32 of a NaN on an H200).
llvm::Value* reluHalves(FunctionLowering& L, llvm::Value* v);

/// .ftz: subnormals become zeros of the same sign (any float type, packed pairs too).
llvm::Value* flushSubnormal(FunctionLowering& L, llvm::Value* v);

/// Picks the NVVM intrinsic for a rounding mode and ftz (f32) or the f64 one; not_intrinsic when
/// PTX has no such combination.
struct RoundedIntrinsics {
  llvm::Intrinsic::ID rn, rz, rm, rp, rnFtz, rzFtz, rmFtz, rpFtz, rnD, rzD, rmD, rpD;
};
llvm::Intrinsic::ID pickRounded(const RoundedIntrinsics& ids, Rounding r, bool ftz, bool isDouble);

/// cvt.{rz,rm,rp} from `from` to `to` for the pairs LLVM has no directed conversion for
/// (integers to f16/bf16/f32/f64, f32 and f64 to f16/bf16, f64 to f32, f16 and bf16 into each
/// other); nullptr, with the instruction reported unsupported, for any other pair.
llvm::Value* convertDirected(FunctionLowering& L, const Instruction& inst, llvm::Value* x,
                             ScalarType from, ScalarType to, Rounding r);

/// An f64 or an integer rounded to nearest even into bf16 with one rounding (LLVM rounds twice,
/// through f32, and has no f64-to-bf16 conversion on x86).
llvm::Value* toBFloat16Nearest(FunctionLowering& L, llvm::Value* x, ScalarType from);

/// Replaces a zero divisor by one: PTX leaves the quotient unspecified, LLVM would be undefined.
llvm::Value* safeDivisor(FunctionLowering& L, llvm::Value* divisor);

/// A full fence at the instruction's scope (.cta, .gpu/.cluster, .sys when absent) as the NVVM
/// membar intrinsics, which LLVM 19's NVPTX backend selects; LLVM `fence` it cannot. membar is
/// fence.sc, at least as strong as every acquire/release/acq_rel fence PTX asks for.
void emitMembar(FunctionLowering& L, const Instruction& inst);

/// The LLVM sync scope for a .cta/.cluster/.gpu/.sys qualifier (system when there is none).
llvm::SyncScope::ID scopeOf(FunctionLowering& L, const Instruction& inst);

} // namespace drawbridge::ptx::nvvm
