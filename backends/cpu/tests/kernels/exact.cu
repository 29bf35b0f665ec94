// Arithmetic whose results NVIDIA's hardware defines differently from x86's (issue 13): one
// operation per output slot, on operands read from memory so no compiler folds them.

enum Slot {
  NaNPlusOne,       // signalling NaN + 1
  InfMinusInf,      // an invalid operation
  SqrtOfMinusOne,   // an invalid square root
  MulOfNaNPayload,  // NaN with a payload * 2
  MinOfZeros,       // fminf(+0, -0)
  MaxOfZeros,       // fmaxf(-0, +0)
  MulFtzTiny,       // mul.rn.ftz(0x3f7fffff, 0x00800000): tiny before rounding
  SetpFtzSubnormal, // setp.ltu.ftz(-subnormal, 0)        (PTX only)
  CvtS64OfNaN,      // cvt.rzi.s64.f32(NaN), low and high words (PTX only)
  CvtS64OfNaNHigh,
  FastExpOfZero,     // __expf(0): clang calls __nv_fast_expf
  ExpOfNaN,          // expf(NaN with a payload)
  MinOfZerosSwapped, // fminf(-0, +0)
  MaxOfZerosSwapped, // fmaxf(+0, -0)
  Bf16OfSubnormal,   // cvt.rn.bf16.f32(0x007fffff)
  FmaBf16x2Tiny,     // fma.rn.bf16x2(-0, 0, 0x0001 in each half)   (PTX only)
  FmaReluF16x2NaN,   // fma.rn.relu.f16x2(inf, 0, 0): a NaN result  (PTX only)
  MaxNaNF16x2,       // max.NaN.f16x2(NaN with a payload, 1)        (PTX only)
  Slots
};

extern "C" __global__ void exact_f32(const unsigned* in, unsigned* out) {
  auto f = [&](int i) { return __uint_as_float(in[i]); };
  out[NaNPlusOne] = __float_as_uint(f(0) + 1.0f);
  out[InfMinusInf] = __float_as_uint(f(1) - f(1));
  out[SqrtOfMinusOne] = __float_as_uint(sqrtf(f(2)));
  out[MulOfNaNPayload] = __float_as_uint(f(3) * 2.0f);
  out[MinOfZeros] = __float_as_uint(fminf(f(4), f(5)));
  out[MaxOfZeros] = __float_as_uint(fmaxf(f(5), f(4)));
  out[FastExpOfZero] = __float_as_uint(__expf(f(4)));
  out[ExpOfNaN] = __float_as_uint(expf(f(3)));
  out[MinOfZerosSwapped] = __float_as_uint(fminf(f(5), f(4)));
  out[MaxOfZerosSwapped] = __float_as_uint(fmaxf(f(4), f(5)));
#ifdef __NVCC__
  unsigned short narrow;
  asm("cvt.rn.bf16.f32 %0, %1;" : "=h"(narrow) : "f"(f(9)));
  out[Bf16OfSubnormal] = narrow;
  unsigned fused;
  asm("fma.rn.bf16x2 %0, %1, %2, %3;" : "=r"(fused) : "r"(in[10]), "r"(in[4]), "r"(in[11]));
  out[FmaBf16x2Tiny] = fused;
  asm("fma.rn.relu.f16x2 %0, %1, %2, %2;" : "=r"(fused) : "r"(in[12]), "r"(in[4]));
  out[FmaReluF16x2NaN] = fused;
  asm("max.NaN.f16x2 %0, %1, %2;" : "=r"(fused) : "r"(in[13]), "r"(in[14]));
  out[MaxNaNF16x2] = fused;
  float product;
  asm("mul.rn.ftz.f32 %0, %1, %2;" : "=f"(product) : "f"(f(6)), "f"(f(7)));
  out[MulFtzTiny] = __float_as_uint(product);
  unsigned less;
  asm("{ .reg .pred p; setp.ltu.ftz.f32 p, %1, 0f00000000; selp.u32 %0, 1, 0, p; }"
      : "=r"(less)
      : "f"(f(8)));
  out[SetpFtzSubnormal] = less;
  long long whole;
  asm("cvt.rzi.s64.f32 %0, %1;" : "=l"(whole) : "f"(f(3)));
  out[CvtS64OfNaN] = unsigned(whole);
  out[CvtS64OfNaNHigh] = unsigned(whole >> 32);
#else
  __bf16 narrow = __nvvm_f2bf16_rn(f(9));
  out[Bf16OfSubnormal] = __builtin_bit_cast(unsigned short, narrow);
  out[MulFtzTiny] = __float_as_uint(__nvvm_mul_rn_ftz_f(f(6), f(7)));
#endif
}

// A loop's accumulator (a phi of arithmetic results) made canonical where it leaves the loop, not
// in every iteration: a NaN with a payload among the inputs still ends as the canonical NaN.
extern "C" __global__ void exact_sum(const float* in, int n, float* out) {
  float sum = 0.0f;
  for (int i = 0; i < n; ++i)
    sum = fmaf(in[i], in[i], sum);
  out[threadIdx.x] = sum;
}

// A NaN made by arithmetic and carried unchanged by a loop's phi, a select and a shuffle is the
// canonical NaN wherever its bits can be seen (stored, bit-cast, passed to and returned from a
// device function), although the backend fixes it only there; a loaded NaN keeps its payload.
__device__ __noinline__ float largestAfter(float v, const float* in, int n) {
  for (int i = 0; i < n; ++i) // a NaN v compares false: it stays, through the loop's phi
    if (in[i] > v)
      v = in[i];
  return v;
}

__device__ __noinline__ float doubledThenLargest(const float* in, int n) {
  float v = in[0] * 2.0f;
  for (int i = 1; i < n; ++i)
    if (in[i] > v)
      v = in[i];
  return v;
}

extern "C" __global__ void exact_carried(const float* in, int n, float* out) {
  float made = in[0] * 2.0f; // in[0] is a NaN with a payload, which x86 keeps
  for (int i = 1; i < n; ++i)
    if (in[i] > made)
      made = in[i];
  float chosen = threadIdx.x % 2 == 0 ? made : in[1];
  float moved = __shfl_sync(0xffffffffu, chosen, 0);
  if (threadIdx.x == 1) {
    out[0] = moved;
    reinterpret_cast<unsigned*>(out)[1] = __float_as_uint(moved) >> 16;
    out[2] = largestAfter(moved, in + 1, n - 1);
    out[3] = doubledThenLargest(in, n);
    out[4] = in[0];
  }
}

// min and max against a constant (relu's fmaxf(x, 0), a max-reduction's -inf) become a compare
// and a select: -0 still below +0, a NaN operand still ignored.
extern "C" __global__ void exact_min_max_constant(const float* in, float* out) {
  float positiveZero = in[0], negativeZero = in[1], nan = in[2];
  out[0] = fmaxf(negativeZero, 0.0f);
  out[1] = fminf(negativeZero, 0.0f);
  out[2] = fmaxf(positiveZero, -0.0f);
  out[3] = fminf(positiveZero, -0.0f);
  out[4] = fmaxf(nan, 0.0f);
  out[5] = fminf(nan, -1.0f);
  out[6] = fmaxf(-INFINITY, in[3]);
  out[7] = fminf(in[3], 1.0f);
}
