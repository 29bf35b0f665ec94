#include "OneDnnMatmul.h"

#include "Fallback.h"
#include "LruCache.h"
#include "Scalar.h"

#include <algorithm>
#include <atomic>
#include <bit>
#include <oneapi/dnnl/dnnl.hpp>
#include <vector>

namespace drawbridge::blas::detail {
namespace {

using dims = dnnl::memory::dims;
using dt = dnnl::memory::data_type;

constexpr size_t kCacheCapacity = 256;

dnnl::engine& engine() {
  static dnnl::engine cpu(dnnl::engine::kind::cpu, 0);
  return cpu;
}

dt dnnlType(DataType type) {
  switch (type) {
  case DataType::F32:
    return dt::f32;
  case DataType::F16:
    return dt::f16;
  case DataType::BF16:
    return dt::bf16;
  case DataType::F64:
    break;
  }
  return dt::undef;
}

// A batch stride of zero broadcasts one matrix to every batch: oneDNN says so with a batch
// dimension of 1. The stride of a dimension of extent 1 is never used, but oneDNN rejects one
// that makes the layout look overlapping, so it is set past the rest of the matrix.
template <typename M>
dnnl::memory::desc describe(const M& m, int64_t rows, int64_t cols, int64_t batch) {
  int64_t rowStride = rows == 1 ? cols * m.colStride : m.rowStride;
  int64_t colStride = cols == 1 ? rows * rowStride : m.colStride;
  if (batch == 1)
    return {dims{rows, cols}, dnnlType(m.type), dims{rowStride, colStride}};
  int64_t batches = m.batchStride == 0 ? 1 : batch;
  int64_t extent = std::max((rows - 1) * rowStride, (cols - 1) * colStride) + 1;
  return {dims{batches, rows, cols}, dnnlType(m.type),
          dims{m.batchStride == 0 ? extent : m.batchStride, rowStride, colStride}};
}

dnnl::stream& threadStream() {
  thread_local dnnl::stream stream(engine());
  return stream;
}

template <typename M> void appendLayout(CacheKey& key, const M& m) {
  key.insert(key.end(), {static_cast<int64_t>(m.type), m.rowStride, m.colStride, m.batchStride});
}

int64_t bitsOf(double scalar) {
  return std::bit_cast<uint32_t>(static_cast<float>(scalar));
}

// Copies and converts between two layouts of the same logical tensor.
template <typename From, typename To>
void reorder(const From& from, const To& to, int64_t rows, int64_t cols, int64_t batch) {
  static LruCache<dnnl::reorder> cache(kCacheCapacity);
  CacheKey key{rows, cols, batch};
  appendLayout(key, from);
  appendLayout(key, to);
  auto fromDesc = describe(from, rows, cols, batch), toDesc = describe(to, rows, cols, batch);
  auto primitive = cache.getOrMake(key, [&] {
    return dnnl::reorder(dnnl::reorder::primitive_desc(engine(), fromDesc, engine(), toDesc));
  });
  dnnl::memory source(fromDesc, engine(), const_cast<void*>(from.data));
  dnnl::memory destination(toDesc, engine(), to.data);
  primitive->execute(threadStream(), source, destination);
  threadStream().wait();
}

bool sameLayout(const MatmulProblem& p) {
  return p.c.data == p.d.data && p.c.rowStride == p.d.rowStride && p.c.colStride == p.d.colStride &&
         p.c.batchStride == p.d.batchStride;
}

// What oneDNN made for one problem: the primitive and the layouts it was made for.
struct MatmulPlan {
  dnnl::matmul primitive;
  dnnl::memory::desc a, b, d, bias;
  int biasPostOp = 0; // the bias's position among the post-ops
};

MatmulPlan makePlan(const MatmulProblem& p, bool biasPerColumn) {
  MatmulPlan plan;
  plan.a = describe(p.a, p.m, p.k, p.batch);
  plan.b = describe(p.b, p.k, p.n, p.batch);
  plan.d = describe(p.d, p.m, p.n, p.batch);
  dnnl::primitive_attr attr;
  if (p.alpha != 1.0)
    attr.set_output_scales(0, {static_cast<float>(p.alpha)});
  dnnl::post_ops ops;
  if (p.beta != 0)
    ops.append_sum(static_cast<float>(p.beta));
  if (p.bias) {
    int64_t length = biasPerColumn ? p.n : p.m;
    dims shape = biasPerColumn ? dims{1, length} : dims{length, 1};
    dims strides = biasPerColumn ? dims{length, 1} : dims{1, length};
    if (p.batch != 1) {
      shape.insert(shape.begin(), 1);
      strides.insert(strides.begin(), length);
    }
    plan.bias = dnnl::memory::desc(shape, dnnlType(p.biasType), strides);
    plan.biasPostOp = ops.len();
    ops.append_binary(dnnl::algorithm::binary_add, plan.bias);
  }
  if (p.epilogue == Epilogue::Relu)
    ops.append_eltwise(1.0f, dnnl::algorithm::eltwise_relu, 0.0f, 0.0f);
  else if (p.epilogue == Epilogue::Gelu)
    ops.append_eltwise(1.0f, dnnl::algorithm::eltwise_gelu_tanh, 0.0f, 0.0f);
  attr.set_post_ops(ops);
  plan.primitive = dnnl::matmul(
      dnnl::matmul::primitive_desc(dnnl::matmul::desc(plan.a, plan.b, plan.d), attr, engine()));
  return plan;
}

// Making a oneDNN matmul costs as much as running a 512^3 one, so plans are kept, keyed by
// everything that shapes them; LLM programs repeat a few dozen shapes.
std::shared_ptr<const MatmulPlan> planFor(const MatmulProblem& p, bool biasPerColumn) {
  static LruCache<MatmulPlan> cache(kCacheCapacity);
  CacheKey key{p.m,
               p.n,
               p.k,
               p.batch,
               bitsOf(p.alpha),
               p.beta == 0 ? 0 : 1,
               bitsOf(p.beta),
               p.bias ? 1 + static_cast<int64_t>(p.biasType) : 0,
               biasPerColumn,
               static_cast<int64_t>(p.epilogue)};
  appendLayout(key, p.a);
  appendLayout(key, p.b);
  appendLayout(key, p.d);
  return cache.getOrMake(key, [&] { return makePlan(p, biasPerColumn); });
}

// Throws dnnl::error when oneDNN cannot create or run the primitive. The bias is added to
// every column (per row of D), or to every row when `biasPerColumn`.
void nativeMatmul(const MatmulProblem& p, bool biasPerColumn) {
  auto plan = planFor(p, biasPerColumn);
  // oneDNN's sum post-op adds beta times what D holds, so D must hold C first.
  if (p.beta != 0 && !sameLayout(p))
    reorder(p.c, p.d, p.m, p.n, p.batch);
  std::unordered_map<int, dnnl::memory> args{
      {DNNL_ARG_SRC, dnnl::memory(plan->a, engine(), const_cast<void*>(p.a.data))},
      {DNNL_ARG_WEIGHTS, dnnl::memory(plan->b, engine(), const_cast<void*>(p.b.data))},
      {DNNL_ARG_DST, dnnl::memory(plan->d, engine(), p.d.data)}};
  if (p.bias)
    args.emplace(DNNL_ARG_ATTR_MULTIPLE_POST_OP(plan->biasPostOp) | DNNL_ARG_SRC_1,
                 dnnl::memory(plan->bias, engine(), const_cast<void*>(p.bias)));
  plan->primitive.execute(threadStream(), args);
  threadStream().wait();
}

template <typename M> M transposed(const M& m) {
  M t = m;
  std::swap(t.rowStride, t.colStride);
  return t;
}

// oneDNN 2.6 runs its optimised matmuls only for a row-major D; for a column-major one (cuBLAS's)
// it falls back to its reference kernel, hundreds of times slower. A column-major D is the
// row-major D^T = B^T x A^T, with the bias then added along rows.
std::pair<MatmulProblem, bool> rowMajorForm(const MatmulProblem& p) {
  if (p.d.rowStride >= p.d.colStride)
    return {p, false};
  MatmulProblem t = p;
  std::swap(t.m, t.n);
  t.a = transposed(p.b);
  t.b = transposed(p.a);
  t.c = transposed(p.c);
  t.d = transposed(p.d);
  return {t, true};
}

// A dense f32 copy of `m` (rows x cols per batch), converted by a oneDNN reorder.
template <typename M>
std::vector<float> widen(const M& m, int64_t rows, int64_t cols, int64_t batch, Matrix& dense) {
  int64_t batches = m.batchStride == 0 ? 1 : batch;
  std::vector<float> values(static_cast<size_t>(rows * cols * batches));
  OutputMatrix to{DataType::F32, values.data(), 1, rows, m.batchStride == 0 ? 0 : rows * cols};
  reorder(m, to, rows, cols, batch);
  dense = {to.type, to.data, to.rowStride, to.colStride, to.batchStride};
  return values;
}

// oneDNN multiplies f16 matrices only on CPUs with AVX512-FP16 or AMX, and bf16 ones only with
// AVX512 (AVX2 hosts have neither). Elsewhere the operands are widened to f32 (exactly),
// multiplied in f32, and D is rounded once at the end: what cuBLAS does with its f32 compute
// type.
void widenedMatmul(const MatmulProblem& p) {
  MatmulProblem wide = p;
  Matrix a, b, c;
  auto aValues = widen(p.a, p.m, p.k, p.batch, a);
  auto bValues = widen(p.b, p.k, p.n, p.batch, b);
  std::vector<float> dValues(static_cast<size_t>(p.m * p.n * p.batch));
  OutputMatrix d{DataType::F32, dValues.data(), 1, p.m, p.m * p.n};
  std::vector<float> cValues;
  if (p.beta != 0) {
    cValues = widen(p.c, p.m, p.n, p.batch, c);
    dValues = std::move(cValues);
    d.data = dValues.data();
  }
  wide.a = a, wide.b = b, wide.d = d;
  wide.c = {DataType::F32, d.data, d.rowStride, d.colStride, d.batchStride};
  auto [fast, biasPerColumn] = rowMajorForm(wide);
  nativeMatmul(fast, biasPerColumn);
  reorder(d, p.d, p.m, p.n, p.batch);
}

} // namespace

// Below this many multiply-adds a 16-bit product oneDNN cannot run is computed directly.
constexpr int64_t kDirectNarrowProducts = int64_t(1) << 20;

// Whether oneDNN has matmuls of a 16-bit float type depends on the CPU, not the problem. Asking
// again on every call cost milliseconds each (oneDNN tries every implementation before giving
// up), which made f16 decode steps two orders of magnitude slower than bf16 ones.
std::atomic<bool>* unimplementedOnThisCpu(DataType type) {
  static std::atomic<bool> f16{false};
  static std::atomic<bool> bf16{false};
  if (type == DataType::F16)
    return &f16;
  if (type == DataType::BF16)
    return &bf16;
  return nullptr;
}

std::optional<BlasError> oneDnnMatmul(const MatmulProblem& original) {
  auto [p, biasPerColumn] = rowMajorForm(original);
  std::atomic<bool>* unimplemented = unimplementedOnThisCpu(p.a.type);
  try {
    if (unimplemented && unimplemented->load(std::memory_order_relaxed)) {
      // Widening costs three oneDNN reorders a call, whose fixed cost outweighs a small
      // product (an LLM decode step on a small model) several times over. The direct loop
      // accumulates in f64 and rounds once, at least as accurate as cuBLAS's f32 compute.
      if (p.m * p.n * p.k * p.batch <= kDirectNarrowProducts)
        fallbackMatmul(original);
      else
        widenedMatmul(original);
      return std::nullopt;
    }
    try {
      nativeMatmul(p, biasPerColumn);
    } catch (const dnnl::error& e) {
      if (e.status != dnnl_unimplemented || !unimplemented)
        throw;
      unimplemented->store(true, std::memory_order_relaxed);
      widenedMatmul(original);
    }
    return std::nullopt;
  } catch (const dnnl::error& e) {
    bool unimplemented = e.status == dnnl_unimplemented;
    return BlasError{
        unimplemented ? BlasErrorCode::NotSupported : BlasErrorCode::ExecutionFailed,
        std::string("oneDNN matmul (") + typeName(p.a.type) + " x " + typeName(p.b.type) + " -> " +
            typeName(p.d.type) + ", m=" + std::to_string(p.m) + " n=" + std::to_string(p.n) +
            " k=" + std::to_string(p.k) + " batch=" + std::to_string(p.batch) + "): " + e.what()};
  }
}

} // namespace drawbridge::blas::detail
