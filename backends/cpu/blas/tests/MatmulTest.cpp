// The matmul against a straightforward double-precision reference, over what cuBLAS programs
// ask of it: every type pair, transposes (as strides), padded leading dimensions, strided and
// broadcast batches, alpha/beta (with NaN in an ignored C), C distinct from D, bias and epilogues.
#include "drawbridge/blas/Matmul.h"

#include "Scalar.h"

#include <algorithm>
#include <cmath>
#include <gtest/gtest.h>
#include <limits>
#include <random>
#include <sstream>
#include <vector>

namespace drawbridge::blas {
namespace {

using detail::load;
using detail::sizeOf;
using detail::store;
using detail::typeName;

struct Case {
  DataType in = DataType::F32, out = DataType::F32;
  int64_t m = 1, n = 1, k = 1, batch = 1;
  bool transA = false, transB = false;
  int64_t pad = 0; // extra rows in each leading dimension
  double alpha = 1, beta = 0;
  bool cDistinct = false, nanInC = false, broadcastA = false, bias = false;
  Epilogue epilogue = Epilogue::None;

  friend void PrintTo(const Case& c, std::ostream* os) {
    *os << typeName(c.in) << "->" << typeName(c.out) << " m" << c.m << " n" << c.n << " k" << c.k
        << " b" << c.batch << (c.transA ? " At" : "") << (c.transB ? " Bt" : "") << " pad" << c.pad
        << " a" << c.alpha << " b" << c.beta << (c.cDistinct ? " C!=D" : "")
        << (c.nanInC ? " NaN-C" : "") << (c.broadcastA ? " bcastA" : "") << (c.bias ? " bias" : "")
        << " ep" << static_cast<int>(c.epilogue);
  }
};

// A column-major stored matrix (rows x cols, leading dimension ld) in a byte buffer.
struct Stored {
  DataType type;
  int64_t rows, cols, ld, batchStride, batches;
  std::vector<std::byte> bytes;

  Stored(DataType t, int64_t r, int64_t c, int64_t pad, int64_t b)
      : type(t), rows(r), cols(c), ld(std::max<int64_t>(1, r) + pad), batchStride(ld * c),
        batches(b), bytes(static_cast<size_t>(ld * c * b) * sizeOf(t) + 16) {}
  double at(int64_t b, int64_t i, int64_t j) const {
    return load(type, bytes.data(), b * batchStride + i + j * ld);
  }
  void set(int64_t b, int64_t i, int64_t j, double v) {
    store(type, bytes.data(), b * batchStride + i + j * ld, v);
  }
  void fill(std::mt19937& rng) {
    std::uniform_real_distribution<double> dist(-1, 1);
    for (int64_t b = 0; b < batches; ++b)
      for (int64_t j = 0; j < cols; ++j)
        for (int64_t i = 0; i < rows; ++i)
          set(b, i, j, dist(rng));
  }
  // As the logical matrix op(X): transposed storage swaps the strides.
  template <typename M> M as(bool transposed, bool broadcast = false) const {
    M m;
    m.type = type;
    m.data = const_cast<std::byte*>(bytes.data());
    m.rowStride = transposed ? ld : 1;
    m.colStride = transposed ? 1 : ld;
    m.batchStride = broadcast ? 0 : batchStride;
    return m;
  }
};

double gelu(double x) {
  return 0.5 * x * (1 + std::tanh(0.7978845608028654 * (x + 0.044715 * x * x * x)));
}

// Unit roundoff of a type: half the gap between 1 and the next value.
double roundoff(DataType type) {
  switch (type) {
  case DataType::F64:
    return std::ldexp(1.0, -53);
  case DataType::F32:
    return std::ldexp(1.0, -24);
  case DataType::F16:
    return std::ldexp(1.0, -11);
  case DataType::BF16:
    return std::ldexp(1.0, -8);
  }
  return 0;
}

// Inputs are uniform in [-1, 1], so a k-term dot product has magnitude about sqrt(k); summing
// in the compute type (f64 for f64, else f32) adds about u * k * sqrt(k), and storing D rounds
// once more.
double tolerance(const Case& c, double expected) {
  double compute = roundoff(c.in == DataType::F64 ? DataType::F64 : DataType::F32);
  double k = static_cast<double>(std::max<int64_t>(c.k, 1));
  return 8 * compute * k * std::sqrt(k) + 2 * roundoff(c.out) * std::max(1.0, std::fabs(expected));
}

class Matmul : public ::testing::TestWithParam<Case> {};

TEST_P(Matmul, MatchesReference) {
  const Case c = GetParam();
  std::mt19937 rng(1234);
  Stored a(c.in, c.transA ? c.k : c.m, c.transA ? c.m : c.k, c.pad, c.broadcastA ? 1 : c.batch);
  Stored b(c.in, c.transB ? c.n : c.k, c.transB ? c.k : c.n, c.pad, c.batch);
  Stored d(c.out, c.m, c.n, c.pad, c.batch);
  Stored cm(c.out, c.m, c.n, c.pad + 1, c.batch); // distinct C, with its own leading dimension
  a.fill(rng);
  b.fill(rng);
  d.fill(rng);
  cm.fill(rng);
  std::vector<float> bias(static_cast<size_t>(c.m));
  for (auto& v : bias)
    v = std::uniform_real_distribution<float>(-1, 1)(rng);
  if (c.nanInC)
    for (int64_t bt = 0; bt < c.batch; ++bt)
      for (int64_t j = 0; j < c.n; ++j)
        for (int64_t i = 0; i < c.m; ++i) {
          d.set(bt, i, j, std::numeric_limits<double>::quiet_NaN());
          cm.set(bt, i, j, std::numeric_limits<double>::quiet_NaN());
        }
  const Stored initialD = d;
  const Stored& cIn = c.cDistinct ? cm : initialD;

  MatmulProblem p;
  p.m = c.m, p.n = c.n, p.k = c.k, p.batch = c.batch;
  p.a = a.as<Matrix>(c.transA, c.broadcastA);
  p.b = b.as<Matrix>(c.transB);
  p.d = d.as<OutputMatrix>(false);
  p.c = c.cDistinct ? cm.as<Matrix>(false) : d.as<Matrix>(false);
  p.alpha = c.alpha;
  p.beta = c.beta;
  p.bias = c.bias ? bias.data() : nullptr;
  p.epilogue = c.epilogue;
  auto error = matmul(p);
  ASSERT_FALSE(error) << error->message;

  for (int64_t bt = 0; bt < c.batch; ++bt)
    for (int64_t j = 0; j < c.n; ++j)
      for (int64_t i = 0; i < c.m; ++i) {
        double sum = 0;
        for (int64_t l = 0; l < c.k; ++l)
          sum +=
              (c.transA ? a.at(c.broadcastA ? 0 : bt, l, i) : a.at(c.broadcastA ? 0 : bt, i, l)) *
              (c.transB ? b.at(bt, j, l) : b.at(bt, l, j));
        double expected = c.alpha * sum;
        if (c.beta != 0)
          expected += c.beta * cIn.at(bt, i, j);
        if (c.bias)
          expected += bias[static_cast<size_t>(i)];
        if (c.epilogue == Epilogue::Relu)
          expected = std::max(expected, 0.0);
        else if (c.epilogue == Epilogue::Gelu)
          expected = gelu(expected);
        double got = d.at(bt, i, j);
        ASSERT_FALSE(std::isnan(got)) << "batch " << bt << " (" << i << "," << j << ")";
        ASSERT_NEAR(got, expected, tolerance(c, expected))
            << "batch " << bt << " (" << i << "," << j << ")";
      }
  // Padding rows of D beyond m are not written.
  for (int64_t bt = 0; bt < c.batch; ++bt)
    for (int64_t j = 0; j < c.n; ++j)
      for (int64_t i = c.m; i < d.ld; ++i) {
        double before = initialD.at(bt, i, j), after = d.at(bt, i, j);
        ASSERT_TRUE(before == after || (std::isnan(before) && std::isnan(after)))
            << "padding row " << i << " changed";
      }
}

std::vector<Case> cases() {
  std::vector<Case> all;
  const std::pair<DataType, DataType> types[] = {
      {DataType::F32, DataType::F32},  {DataType::F16, DataType::F16},
      {DataType::F16, DataType::F32},  {DataType::BF16, DataType::BF16},
      {DataType::BF16, DataType::F32}, {DataType::F64, DataType::F64}};
  for (auto [in, out] : types)
    for (bool ta : {false, true})
      for (bool tb : {false, true}) {
        Case c;
        c.in = in, c.out = out, c.m = 33, c.n = 17, c.k = 65, c.transA = ta, c.transB = tb,
        c.pad = 3;
        all.push_back(c);
      }
  for (auto [in, out] : types) {
    Case c;
    c.in = in, c.out = out, c.m = 7, c.n = 5, c.k = 9, c.batch = 3, c.pad = 2, c.alpha = 0.5,
    c.beta = 2;
    all.push_back(c);
    c.cDistinct = true;
    all.push_back(c);
    c.beta = 0, c.nanInC = true;
    all.push_back(c);
  }
  Case gemv;
  gemv.m = 1, gemv.n = 256, gemv.k = 300, gemv.transA = true;
  all.push_back(gemv);
  for (auto [in, out] :
       {std::pair{DataType::F32, DataType::F32}, std::pair{DataType::BF16, DataType::BF16},
        std::pair{DataType::BF16, DataType::F32}})
    for (bool ta : {false, true}) { // matrix-vector products, A by columns and by rows
      Case c;
      c.in = in, c.out = out, c.m = 300, c.n = 1, c.k = 257, c.transA = ta, c.pad = 3,
      c.alpha = -0.5, c.beta = 0.5;
      all.push_back(c);
      c.cDistinct = true;
      all.push_back(c);
      c.m = c.k = 1500, c.beta = 0, c.nanInC = true; // f32: large enough to split across threads
      all.push_back(c);
    }
  Case single;
  all.push_back(single);
  Case broadcast;
  broadcast.m = 6, broadcast.n = 4, broadcast.k = 5, broadcast.batch = 4,
  broadcast.broadcastA = true;
  all.push_back(broadcast);
  for (auto epilogue : {Epilogue::None, Epilogue::Relu, Epilogue::Gelu})
    for (auto [in, out] :
         {std::pair{DataType::F32, DataType::F32}, std::pair{DataType::BF16, DataType::BF16},
          std::pair{DataType::F64, DataType::F64}}) {
      Case c;
      c.in = in, c.out = out, c.m = 19, c.n = 11, c.k = 23, c.bias = true, c.epilogue = epilogue,
      c.beta = 1, c.cDistinct = true;
      all.push_back(c);
      c.batch = 2, c.bias = false;
      all.push_back(c);
    }
  Case emptyK;
  emptyK.m = 4, emptyK.n = 3, emptyK.k = 0, emptyK.beta = 0.5, emptyK.bias = true;
  all.push_back(emptyK);
  return all;
}

INSTANTIATE_TEST_SUITE_P(Cases, Matmul, ::testing::ValuesIn(cases()));

TEST(MatmulErrors, AreNamed) {
  float x = 0;
  MatmulProblem p;
  p.m = -1;
  auto error = matmul(p);
  ASSERT_TRUE(error);
  EXPECT_EQ(error->code, BlasErrorCode::InvalidValue);
  EXPECT_NE(error->message.find("negative dimension"), std::string::npos);

  p = {};
  p.m = p.n = p.k = 1;
  p.a.data = p.b.data = &x;
  error = matmul(p);
  ASSERT_TRUE(error);
  EXPECT_NE(error->message.find("D is a null pointer"), std::string::npos);

  p.d.data = &x;
  p.b.type = DataType::F16;
  error = matmul(p);
  ASSERT_TRUE(error);
  EXPECT_EQ(error->code, BlasErrorCode::NotSupported);
  EXPECT_NE(error->message.find("f32 and f16"), std::string::npos);

  p.b.type = DataType::F32;
  p.batch = 2;
  error = matmul(p);
  ASSERT_TRUE(error);
  EXPECT_NE(error->message.find("batch stride of 0 for D"), std::string::npos);
}

TEST(MatmulErrors, EmptyProblemsTouchNothing) {
  MatmulProblem p;
  p.m = 0, p.n = 5, p.k = 5; // all pointers null: nothing may be read or written
  EXPECT_FALSE(matmul(p));
  p.m = 5, p.batch = 0;
  EXPECT_FALSE(matmul(p));
}

} // namespace
} // namespace drawbridge::blas
