// NCCL's data types and reduction operators as MPI sees them: the MPI datatype of each element
// type, the MPI operation for each built-in ncclRedOp_t, and the element-wise scaling that
// ncclAvg and ncclPreMulSum apply before summing.
#pragma once

#include <cstddef>
#include <mpi.h>
#include <nccl.h>
#include <optional>

namespace drawbridge::nccl {

/// Bytes per element, or nothing for a value outside ncclDataType_t.
std::optional<size_t> elementSize(ncclDataType_t type);

/// The MPI datatype of `type`'s elements. half, bfloat16 and the fp8 types are opaque to MPI:
/// they are contiguous bytes whose reductions are Drawbridge's own operations.
MPI_Datatype mpiType(ncclDataType_t type);

/// The MPI operation reducing `type` with `op` (ncclSum, ncclProd, ncclMax, ncclMin). Sums of
/// half, bfloat16 and fp8 round to the element type after each addition, as NCCL's kernels do.
MPI_Op mpiOp(ncclDataType_t type, ncclRedOp_t op);

/// Whether `type` is a floating-point type (NCCL's ncclAvg is a pre-multiplied sum for these,
/// and a sum divided afterwards for integers).
bool isFloating(ncclDataType_t type);

/// out[i] = in[i] * scalar, with `scalar` one element of `type`, rounded as `type`.
void scale(const void* in, void* out, size_t count, ncclDataType_t type, const void* scalar);
/// data[i] /= divisor for an integer type (ncclAvg of integers).
void divide(void* data, size_t count, ncclDataType_t type, int divisor);
/// The element of `type` nearest to `value` (the scalar 1/nranks of ncclAvg).
void fromDouble(double value, ncclDataType_t type, void* element);

} // namespace drawbridge::nccl
