// cuBLASLt: the matmul descriptor, matrix layouts (column or row order, batches), preferences,
// the algorithm heuristic, and cublasLtMatmul with its epilogues, on the backend.
#include "Export.h"
#include "Gemm.h"

#include <cstdio>
#include <cstring>
#include <cublasLt.h>
#include <new>

struct cublasLtContext {};

namespace {

using namespace drawbridge;

// Our state lives inside NVIDIA's opaque storage, so descriptors a program allocates itself
// (cublasLt*Init) and ones we allocate (cublasLt*Create) are the same thing.
struct Layout {
  cudaDataType type;
  int32_t order;
  uint64_t rows, cols;
  int64_t ld;
  int32_t batchCount;
  int64_t batchStride;
};
static_assert(sizeof(Layout) <= sizeof(cublasLtMatrixLayoutOpaque_t));

struct MatmulDesc {
  cublasComputeType_t compute;
  cudaDataType scaleType;
  int32_t pointerMode;
  int32_t transA, transB;
  uint32_t epilogue;
  const void* bias;
  int32_t biasType; // -1: the type of D, as cuBLASLt defaults it
};
static_assert(sizeof(MatmulDesc) <= sizeof(cublasLtMatmulDescOpaque_t));

struct Preference {
  uint64_t maxWorkspace;
};
static_assert(sizeof(Preference) <= sizeof(cublasLtMatmulPreferenceOpaque_t));

Layout& layoutOf(cublasLtMatrixLayout_t layout) {
  return *reinterpret_cast<Layout*>(layout);
}
MatmulDesc& descOf(cublasLtMatmulDesc_t desc) {
  return *reinterpret_cast<MatmulDesc*>(desc);
}

// Copies an attribute value of exactly the attribute's size.
template <typename T> cublasStatus_t setValue(T& field, const void* buffer, size_t size) {
  if (!buffer || size != sizeof(T))
    return CUBLAS_STATUS_INVALID_VALUE;
  std::memcpy(&field, buffer, sizeof(T));
  return CUBLAS_STATUS_SUCCESS;
}

template <typename T>
cublasStatus_t getValue(const T& field, void* buffer, size_t size, size_t* written) {
  if (written)
    *written = sizeof(T);
  if (size == 0 && written)
    return CUBLAS_STATUS_SUCCESS; // a size query
  if (!buffer || size < sizeof(T))
    return CUBLAS_STATUS_INVALID_VALUE;
  std::memcpy(buffer, &field, sizeof(T));
  return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t unsupportedAttribute(const char* what, int attribute) {
  std::fprintf(stderr, "drawbridge: cuBLASLt %s attribute %d is not supported by Drawbridge\n",
               what, attribute);
  return CUBLAS_STATUS_NOT_SUPPORTED;
}

struct EpilogueParts {
  bool bias;
  backend::GemmEpilogue activation;
};

std::optional<EpilogueParts> splitEpilogue(uint32_t epilogue) {
  switch (epilogue) {
  case CUBLASLT_EPILOGUE_DEFAULT:
    return EpilogueParts{false, backend::GemmEpilogue::None};
  case CUBLASLT_EPILOGUE_RELU:
    return EpilogueParts{false, backend::GemmEpilogue::Relu};
  case CUBLASLT_EPILOGUE_BIAS:
    return EpilogueParts{true, backend::GemmEpilogue::None};
  case CUBLASLT_EPILOGUE_RELU_BIAS:
    return EpilogueParts{true, backend::GemmEpilogue::Relu};
  case CUBLASLT_EPILOGUE_GELU:
    return EpilogueParts{false, backend::GemmEpilogue::Gelu};
  case CUBLASLT_EPILOGUE_GELU_BIAS:
    return EpilogueParts{true, backend::GemmEpilogue::Gelu};
  default:
    return std::nullopt; // auxiliary outputs and gradients
  }
}

} // namespace

DRAWBRIDGE_CUBLAS_EXPORT cublasStatus_t cublasLtCreate(cublasLtHandle_t* handle) {
  if (!handle)
    return CUBLAS_STATUS_INVALID_VALUE;
  *handle = new (std::nothrow) cublasLtContext;
  return *handle ? CUBLAS_STATUS_SUCCESS : CUBLAS_STATUS_ALLOC_FAILED;
}

DRAWBRIDGE_CUBLAS_EXPORT cublasStatus_t cublasLtDestroy(cublasLtHandle_t handle) {
  if (!handle)
    return CUBLAS_STATUS_NOT_INITIALIZED;
  delete handle;
  return CUBLAS_STATUS_SUCCESS;
}

DRAWBRIDGE_CUBLAS_EXPORT cublasStatus_t cublasLtMatrixLayoutCreate(cublasLtMatrixLayout_t* layout,
                                                                   cudaDataType type, uint64_t rows,
                                                                   uint64_t cols, int64_t ld) {
  if (!layout)
    return CUBLAS_STATUS_INVALID_VALUE;
  auto* storage = new (std::nothrow) cublasLtMatrixLayoutOpaque_t{};
  if (!storage)
    return CUBLAS_STATUS_ALLOC_FAILED;
  new (storage) Layout{type, CUBLASLT_ORDER_COL, rows, cols, ld, 1, 0};
  *layout = storage;
  return CUBLAS_STATUS_SUCCESS;
}

DRAWBRIDGE_CUBLAS_EXPORT cublasStatus_t cublasLtMatrixLayoutDestroy(cublasLtMatrixLayout_t layout) {
  delete layout;
  return CUBLAS_STATUS_SUCCESS;
}

DRAWBRIDGE_CUBLAS_EXPORT cublasStatus_t cublasLtMatrixLayoutSetAttribute(
    cublasLtMatrixLayout_t layout, cublasLtMatrixLayoutAttribute_t attribute, const void* buffer,
    size_t size) {
  if (!layout)
    return CUBLAS_STATUS_INVALID_VALUE;
  Layout& l = layoutOf(layout);
  switch (attribute) {
  case CUBLASLT_MATRIX_LAYOUT_TYPE: {
    uint32_t type;
    if (auto status = setValue(type, buffer, size))
      return status;
    l.type = static_cast<cudaDataType>(type);
    return CUBLAS_STATUS_SUCCESS;
  }
  case CUBLASLT_MATRIX_LAYOUT_ORDER:
    return setValue(l.order, buffer, size);
  case CUBLASLT_MATRIX_LAYOUT_ROWS:
    return setValue(l.rows, buffer, size);
  case CUBLASLT_MATRIX_LAYOUT_COLS:
    return setValue(l.cols, buffer, size);
  case CUBLASLT_MATRIX_LAYOUT_LD:
    return setValue(l.ld, buffer, size);
  case CUBLASLT_MATRIX_LAYOUT_BATCH_COUNT:
    return setValue(l.batchCount, buffer, size);
  case CUBLASLT_MATRIX_LAYOUT_STRIDED_BATCH_OFFSET:
    return setValue(l.batchStride, buffer, size);
  default:
    return unsupportedAttribute("matrix layout", attribute);
  }
}

DRAWBRIDGE_CUBLAS_EXPORT cublasStatus_t cublasLtMatmulDescCreate(cublasLtMatmulDesc_t* desc,
                                                                 cublasComputeType_t compute,
                                                                 cudaDataType_t scaleType) {
  if (!desc)
    return CUBLAS_STATUS_INVALID_VALUE;
  auto* storage = new (std::nothrow) cublasLtMatmulDescOpaque_t{};
  if (!storage)
    return CUBLAS_STATUS_ALLOC_FAILED;
  new (storage) MatmulDesc{compute,     scaleType,   CUBLASLT_POINTER_MODE_HOST,
                           CUBLAS_OP_N, CUBLAS_OP_N, CUBLASLT_EPILOGUE_DEFAULT,
                           nullptr,     -1};
  *desc = storage;
  return CUBLAS_STATUS_SUCCESS;
}

DRAWBRIDGE_CUBLAS_EXPORT cublasStatus_t cublasLtMatmulDescDestroy(cublasLtMatmulDesc_t desc) {
  delete desc;
  return CUBLAS_STATUS_SUCCESS;
}

DRAWBRIDGE_CUBLAS_EXPORT cublasStatus_t
cublasLtMatmulDescSetAttribute(cublasLtMatmulDesc_t desc, cublasLtMatmulDescAttributes_t attribute,
                               const void* buffer, size_t size) {
  if (!desc)
    return CUBLAS_STATUS_INVALID_VALUE;
  MatmulDesc& d = descOf(desc);
  switch (attribute) {
  case CUBLASLT_MATMUL_DESC_COMPUTE_TYPE:
    return setValue(d.compute, buffer, size);
  case CUBLASLT_MATMUL_DESC_SCALE_TYPE:
    return setValue(d.scaleType, buffer, size);
  case CUBLASLT_MATMUL_DESC_POINTER_MODE:
    return setValue(d.pointerMode, buffer, size);
  case CUBLASLT_MATMUL_DESC_TRANSA:
    return setValue(d.transA, buffer, size);
  case CUBLASLT_MATMUL_DESC_TRANSB:
    return setValue(d.transB, buffer, size);
  case CUBLASLT_MATMUL_DESC_EPILOGUE:
    return setValue(d.epilogue, buffer, size);
  case CUBLASLT_MATMUL_DESC_BIAS_POINTER:
    return setValue(d.bias, buffer, size);
  case CUBLASLT_MATMUL_DESC_BIAS_DATA_TYPE:
    return setValue(d.biasType, buffer, size);
  default:
    return unsupportedAttribute("matmul descriptor", attribute);
  }
}

DRAWBRIDGE_CUBLAS_EXPORT cublasStatus_t
cublasLtMatmulDescGetAttribute(cublasLtMatmulDesc_t desc, cublasLtMatmulDescAttributes_t attribute,
                               void* buffer, size_t size, size_t* written) {
  if (!desc)
    return CUBLAS_STATUS_INVALID_VALUE;
  const MatmulDesc& d = descOf(desc);
  switch (attribute) {
  case CUBLASLT_MATMUL_DESC_COMPUTE_TYPE:
    return getValue(d.compute, buffer, size, written);
  case CUBLASLT_MATMUL_DESC_SCALE_TYPE:
    return getValue(d.scaleType, buffer, size, written);
  case CUBLASLT_MATMUL_DESC_TRANSA:
    return getValue(d.transA, buffer, size, written);
  case CUBLASLT_MATMUL_DESC_TRANSB:
    return getValue(d.transB, buffer, size, written);
  case CUBLASLT_MATMUL_DESC_EPILOGUE:
    return getValue(d.epilogue, buffer, size, written);
  default:
    return unsupportedAttribute("matmul descriptor", attribute);
  }
}

DRAWBRIDGE_CUBLAS_EXPORT cublasStatus_t
cublasLtMatmulPreferenceCreate(cublasLtMatmulPreference_t* preference) {
  if (!preference)
    return CUBLAS_STATUS_INVALID_VALUE;
  auto* storage = new (std::nothrow) cublasLtMatmulPreferenceOpaque_t{};
  if (!storage)
    return CUBLAS_STATUS_ALLOC_FAILED;
  new (storage) Preference{0};
  *preference = storage;
  return CUBLAS_STATUS_SUCCESS;
}

DRAWBRIDGE_CUBLAS_EXPORT cublasStatus_t
cublasLtMatmulPreferenceDestroy(cublasLtMatmulPreference_t preference) {
  delete preference;
  return CUBLAS_STATUS_SUCCESS;
}

DRAWBRIDGE_CUBLAS_EXPORT cublasStatus_t cublasLtMatmulPreferenceSetAttribute(
    cublasLtMatmulPreference_t preference, cublasLtMatmulPreferenceAttributes_t attribute,
    const void* buffer, size_t size) {
  if (!preference)
    return CUBLAS_STATUS_INVALID_VALUE;
  if (attribute == CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES)
    return setValue(reinterpret_cast<Preference*>(preference)->maxWorkspace, buffer, size);
  return unsupportedAttribute("matmul preference", attribute);
}

// One algorithm, needing no workspace: oneDNN chooses its own kernels.
DRAWBRIDGE_CUBLAS_EXPORT cublasStatus_t cublasLtMatmulAlgoGetHeuristic(
    cublasLtHandle_t handle, cublasLtMatmulDesc_t desc, cublasLtMatrixLayout_t,
    cublasLtMatrixLayout_t, cublasLtMatrixLayout_t, cublasLtMatrixLayout_t,
    cublasLtMatmulPreference_t, int requested, cublasLtMatmulHeuristicResult_t* results,
    int* returned) {
  if (!handle)
    return CUBLAS_STATUS_NOT_INITIALIZED;
  if (!desc || requested < 1 || !results || !returned)
    return CUBLAS_STATUS_INVALID_VALUE;
  std::memset(&results[0], 0, sizeof results[0]);
  results[0].workspaceSize = 0;
  results[0].state = CUBLAS_STATUS_SUCCESS;
  results[0].wavesCount = 1.0f;
  *returned = 1;
  return CUBLAS_STATUS_SUCCESS;
}

DRAWBRIDGE_CUBLAS_EXPORT cublasStatus_t cublasLtMatmul(
    cublasLtHandle_t handle, cublasLtMatmulDesc_t computeDesc, const void* alpha, const void* A,
    cublasLtMatrixLayout_t Adesc, const void* B, cublasLtMatrixLayout_t Bdesc, const void* beta,
    const void* C, cublasLtMatrixLayout_t Cdesc, void* D, cublasLtMatrixLayout_t Ddesc,
    const cublasLtMatmulAlgo_t*, void*, size_t, cudaStream_t stream) {
  if (!handle)
    return CUBLAS_STATUS_NOT_INITIALIZED;
  if (!computeDesc || !Adesc || !Bdesc || !Cdesc || !Ddesc || !alpha || !beta)
    return CUBLAS_STATUS_INVALID_VALUE;
  const MatmulDesc& desc = descOf(computeDesc);
  const Layout &a = layoutOf(Adesc), &b = layoutOf(Bdesc), &c = layoutOf(Cdesc),
               &d = layoutOf(Ddesc);
  bool ta = desc.transA != CUBLAS_OP_N, tb = desc.transB != CUBLAS_OP_N;
  int64_t m = ta ? a.cols : a.rows, k = ta ? a.rows : a.cols;
  int64_t kb = tb ? b.cols : b.rows, n = tb ? b.rows : b.cols;
  if (k != kb || d.rows != uint64_t(m) || d.cols != uint64_t(n) || c.rows != d.rows ||
      c.cols != d.cols || a.batchCount != d.batchCount || b.batchCount != d.batchCount ||
      c.batchCount != d.batchCount)
    return CUBLAS_STATUS_INVALID_VALUE;
  for (const Layout* l : {&a, &b, &c, &d})
    if (l->order != CUBLASLT_ORDER_COL && l->order != CUBLASLT_ORDER_ROW)
      return unsupportedAttribute("matrix layout order", l->order);
  auto parts = splitEpilogue(desc.epilogue);
  if (!parts)
    return unsupportedAttribute("epilogue", static_cast<int>(desc.epilogue));
  if (parts->bias && !desc.bias)
    return CUBLAS_STATUS_INVALID_VALUE;
  auto aType = cublas::gemmType(a.type), bType = cublas::gemmType(b.type),
       cType = cublas::gemmType(c.type), dType = cublas::gemmType(d.type),
       biasType =
           cublas::gemmType(desc.biasType < 0 ? d.type : static_cast<cudaDataType>(desc.biasType));
  if (!aType || !bType || !cType || !dType || !biasType)
    return CUBLAS_STATUS_NOT_SUPPORTED;

  backend::GemmArgs args;
  args.m = m, args.n = n, args.k = k, args.batch = d.batchCount;
  auto rowOrder = [](const Layout& l) { return l.order == CUBLASLT_ORDER_ROW; };
  args.a = cublas::operand(*aType, A, a.ld, rowOrder(a), ta, a.batchStride);
  args.b = cublas::operand(*bType, B, b.ld, rowOrder(b), tb, b.batchStride);
  args.c = cublas::operand(*cType, C, c.ld, rowOrder(c), false, c.batchStride);
  args.d = cublas::operand(*dType, D, d.ld, rowOrder(d), false, d.batchStride);
  args.bias = parts->bias ? desc.bias : nullptr;
  args.biasType = *biasType;
  args.epilogue = parts->activation;
  args.allowTf32 = desc.compute == CUBLAS_COMPUTE_32F_FAST_TF32;
  return cublas::runGemm(args, stream, alpha, beta, desc.scaleType,
                         desc.pointerMode != CUBLASLT_POINTER_MODE_HOST);
}
