// One mma.sync tile by exact scalar emulation, shared by mma and wmma: lanes trade the fragments
// of A and B with shfl.sync.idx by the PTX ISA's layouts ("Matrix fragments for mma.m16n8k*"),
// then each lane computes its own elements of D.
#pragma once

#include "FunctionLowering.h"

#include <array>
#include <vector>

namespace drawbridge::ptx::nvvm {

struct MmaShape {
  unsigned m, k;         // m16n8k* or m8n8k*
  unsigned elementBits;  // of A and B: 32 (tf32), 16 (f16/bf16), 8 (s8/u8), 4 (s4/u4) or 1 (b1)
  bool integer;          // s32 accumulators and integer inputs
  ScalarType floatInput; // f16, bf16 or tf32, for float shapes
  bool aSigned, bSigned; // for integer shapes
  bool halfAccumulator;  // C and D are f16x2 pairs rather than f32
  bool halfResult;
  bool satfinite; // integer results clamped to the s32 range
  // How two integer elements combine before they are summed: b1 shapes count the bits of their
  // AND or XOR (.and.popc, .xor.popc).
  enum class Product : uint8_t { Multiply, And, Xor } product = Product::Multiply;

  unsigned perRegister() const { return 32 / elementBits; }
  unsigned halves() const { return m / 8; } // row halves of A, C and D
  unsigned aRegisters() const { return m * k * elementBits / 1024; }
  unsigned bRegisters() const { return 8 * k * elementBits / 1024; }
  unsigned outputs() const { return 2 * halves(); } // elements of C and D per lane
};

/// rows[h][k] = A[g + 8h][k] for the lane's group g = laneid / 4, from the warp's A registers.
using TileRows = std::array<std::vector<llvm::Value*>, 2>;
TileRows gatherRows(FunctionLowering& L, const MmaShape& shape,
                    const std::vector<llvm::Value*>& aBits);
/// columns[n][k] = B[k][2t + n] for the lane's t = laneid % 4, from the warp's B registers.
TileRows gatherColumns(FunctionLowering& L, const MmaShape& shape,
                       const std::vector<llvm::Value*>& bBits);

/// The lane's elements of D = A B + C from gathered rows and columns: `accumulators` holds C's
/// outputs() elements as f32 (float shapes) or i32 (integer shapes), and the result is D's in the
/// same kind. Float sums are the tensor core's truncating adder (TensorCoreSum.h); f16 results
/// are that sum rounded once to f16 by the caller.
/// Integer sums wrap in s32 unless .satfinite clamps the exact sum.
std::vector<llvm::Value*> multiplyTile(FunctionLowering& L, const MmaShape& shape,
                                       const TileRows& rows, const TileRows& columns,
                                       std::vector<llvm::Value*> accumulators);

/// The two f16 or bf16 elements of a packed pair, widened to f32 (exactly).
std::array<llvm::Value*, 2> unpackHalves(FunctionLowering& L, llvm::Value* bits,
                                         ScalarType element);
/// Two f32 values rounded to f16 and packed, the first in the low half.
llvm::Value* packHalves(FunctionLowering& L, llvm::Value* low, llvm::Value* high);

/// The registers of operand `index`, a {a, b, ...} list of `count`; reports an error naming
/// `what` and returns null otherwise.
const std::vector<Operand>* registerList(FunctionLowering& L, const Instruction& inst, size_t index,
                                         size_t count, std::string_view what);

/// laneid, as the NVVM intrinsic.
llvm::Value* laneId(FunctionLowering& L);
/// The 32 bits `value` holds in lane `source` (all lanes take part, as .aligned requires).
llvm::Value* fromLane(FunctionLowering& L, llvm::Value* value, llvm::Value* source);

} // namespace drawbridge::ptx::nvvm
