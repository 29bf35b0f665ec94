// Batches of copies (cudaMemcpyBatchAsync, cudaMemcpy3DBatchAsync): the batch runs in stream
// order, and each copy's source is read as its attributes ask: in stream order, or before the
// call returns. The whole batch is checked before any of it is queued, so a bad entry fails the
// call and queues nothing.
#include "Api.h"
#include "Arrays.h"
#include "Export.h"
#include "Operations.h"

#include <vector>

using namespace drawbridge::cudart;

namespace {

bool legacyStream(cudaStream_t stream) {
  return !stream || stream == cudaStreamLegacy;
}

bool validOrder(cudaMemcpySrcAccessOrder order) {
  return order == cudaMemcpySrcAccessOrderStream ||
         order == cudaMemcpySrcAccessOrderDuringApiCall || order == cudaMemcpySrcAccessOrderAny;
}

bool validFlags(unsigned flags) {
  return (flags & ~cudaMemcpyFlagPreferOverlapWithCompute) == 0;
}

struct BatchCopy {
  cudaMemcpy3DParms params;
  cudaMemcpySrcAccessOrder order;
};

// "During the API call" reads the source now; "stream" and "any" read it in stream order (a
// pageable source is still staged before the call returns, as for cudaMemcpyAsync).
cudaError_t queue(const std::vector<BatchCopy>& batch, cudaStream_t stream, const char* api) {
  for (const BatchCopy& c : batch) {
    cudaError_t queued = c.order == cudaMemcpySrcAccessOrderDuringApiCall
                             ? copyStaged(c.params, stream, api)
                             : copyAsync(c.params, stream, api);
    if (queued != cudaSuccess)
      return queued;
  }
  return cudaSuccess;
}

// A pointer operand of a 3D batch copy as cudaMemcpy3D describes it (elements are bytes unless
// the other operand is an array; the caller scales them then).
cudaError_t pointerOperand(const cudaMemcpy3DOperand& operand, const cudaExtent& extent,
                           cudaPitchedPtr& out) {
  if (operand.type != cudaMemcpyOperandTypePointer || !operand.op.ptr.ptr)
    return cudaErrorInvalidValue;
  size_t rowLength = operand.op.ptr.rowLength, layerHeight = operand.op.ptr.layerHeight;
  if ((rowLength && rowLength < extent.width) || (layerHeight && layerHeight < extent.height))
    return cudaErrorInvalidValue;
  // Zero means tightly packed.
  size_t pitch = rowLength ? rowLength : extent.width;
  out = cudaPitchedPtr{operand.op.ptr.ptr, pitch, extent.width,
                       layerHeight ? layerHeight : extent.height};
  return cudaSuccess;
}

// Either kind of operand. An array operand's offset is in elements, as is the extent; a pointer
// opposite an array counts its row length and layer height in the array's elements too.
cudaError_t operand(const cudaMemcpy3DOperand& given, const cudaExtent& extent, cudaPitchedPtr& ptr,
                    cudaArray_t& array, cudaPos& pos) {
  if (given.type == cudaMemcpyOperandTypeArray) {
    array = given.op.array.array;
    pos = {given.op.array.offset.x, given.op.array.offset.y, given.op.array.offset.z};
    return findArray(array) ? cudaSuccess : cudaErrorInvalidValue;
  }
  return pointerOperand(given, extent, ptr);
}

// Scales the pointer side of a copy with one array operand to bytes.
void scalePointerSide(cudaMemcpy3DParms& params) {
  if (!params.srcArray == !params.dstArray)
    return;
  const cudaArray* array = findArray(params.srcArray ? params.srcArray : params.dstArray);
  cudaPitchedPtr& pointer = params.srcArray ? params.dstPtr : params.srcPtr;
  pointer.pitch *= array->elementBytes;
  pointer.xsize *= array->elementBytes;
}

} // namespace

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaMemcpyBatchAsync(
    void* const* dsts, const void* const* srcs, const size_t* sizes, size_t count,
    cudaMemcpyAttributes* attrs, size_t* attrsIdxs, size_t numAttrs, cudaStream_t stream) {
  return api(
      "cudaMemcpyBatchAsync",
      [&]() -> cudaError_t {
        if (!dsts || !srcs || !sizes || count == 0 || !attrs || !attrsIdxs || numAttrs == 0 ||
            numAttrs > count || legacyStream(stream) || attrsIdxs[0] != 0)
          return cudaErrorInvalidValue;
        std::vector<BatchCopy> batch;
        for (size_t a = 0; a < numAttrs; ++a) {
          size_t end = a + 1 < numAttrs ? attrsIdxs[a + 1] : count;
          if (end <= attrsIdxs[a] || end > count || !validOrder(attrs[a].srcAccessOrder) ||
              !validFlags(attrs[a].flags))
            return cudaErrorInvalidValue;
          for (size_t i = attrsIdxs[a]; i < end; ++i) {
            if (!dsts[i] || !srcs[i] || sizes[i] == 0)
              return cudaErrorInvalidValue;
            batch.push_back({linearCopy(dsts[i], srcs[i], sizes[i], cudaMemcpyDefault),
                             attrs[a].srcAccessOrder});
          }
        }
        return queue(batch, stream, "cudaMemcpyBatchAsync");
      },
      dsts, srcs, sizes, count, attrs, attrsIdxs, numAttrs, stream);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaMemcpy3DBatchAsync(size_t numOps,
                                                            cudaMemcpy3DBatchOp* opList,
                                                            unsigned long long flags,
                                                            cudaStream_t stream) {
  return api(
      "cudaMemcpy3DBatchAsync",
      [&]() -> cudaError_t {
        if (numOps == 0 || !opList || flags != 0 || legacyStream(stream))
          return cudaErrorInvalidValue;
        std::vector<BatchCopy> batch;
        for (size_t i = 0; i < numOps; ++i) {
          const cudaMemcpy3DBatchOp& op = opList[i];
          const cudaExtent& e = op.extent;
          if (e.width == 0 || e.height == 0 || e.depth == 0 || !validOrder(op.srcAccessOrder) ||
              !validFlags(op.flags))
            return cudaErrorInvalidValue;
          cudaMemcpy3DParms params{};
          if (cudaError_t error = operand(op.src, e, params.srcPtr, params.srcArray, params.srcPos))
            return error;
          if (cudaError_t error = operand(op.dst, e, params.dstPtr, params.dstArray, params.dstPos))
            return error;
          params.extent = e;
          params.kind = cudaMemcpyDefault;
          scalePointerSide(params);
          if (cudaError_t error = withoutArrays(params))
            return error;
          batch.push_back({params, op.srcAccessOrder});
        }
        return queue(batch, stream, "cudaMemcpy3DBatchAsync");
      },
      numOps, opList, flags, stream);
}
