#include "Elements.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <mutex>

namespace drawbridge::nccl {
namespace {

// An 8-bit float as NVIDIA's fp8 types define it: E4M3 has no infinity and one NaN (0x7f),
// E5M2 follows IEEE. Conversions to fp8 round to nearest even and saturate to the largest
// finite value (NVIDIA's __NV_SATFINITE), as NCCL's reductions do.
struct Fp8Format {
  int mantissaBits;
  int bias;
  bool ieee; // E5M2: an all-ones exponent is infinity or NaN
  uint8_t maxFinite;
};
constexpr Fp8Format kE4M3{3, 7, false, 0x7e};
constexpr Fp8Format kE5M2{2, 15, true, 0x7b};

float decodeFp8(uint8_t code, const Fp8Format& f) {
  int exponentBits = 7 - f.mantissaBits;
  int exponent = (code >> f.mantissaBits) & ((1 << exponentBits) - 1);
  int mantissa = code & ((1 << f.mantissaBits) - 1);
  float sign = code & 0x80 ? -1.0f : 1.0f;
  if (!f.ieee && (code & 0x7f) == 0x7f)
    return NAN;
  if (f.ieee && exponent == (1 << exponentBits) - 1)
    return mantissa ? NAN : sign * INFINITY;
  if (exponent == 0)
    return sign * std::ldexp(float(mantissa), 1 - f.bias - f.mantissaBits);
  return sign *
         std::ldexp(float(mantissa + (1 << f.mantissaBits)), exponent - f.bias - f.mantissaBits);
}

uint8_t encodeFp8(float value, const Fp8Format& f) {
  uint8_t sign = std::signbit(value) ? 0x80 : 0;
  if (std::isnan(value))
    return sign | 0x7f;
  float magnitude = std::fabs(value);
  float largest = decodeFp8(f.maxFinite, f);
  if (magnitude == 0)
    return sign;
  int minNormal = 1 - f.bias;
  int exponent = std::max(std::ilogb(magnitude), minNormal);
  float quantum = std::ldexp(1.0f, exponent - f.mantissaBits);
  float rounded = std::nearbyint(magnitude / quantum) * quantum; // ties to even
  if (rounded >= largest)
    return sign | f.maxFinite;
  if (rounded < std::ldexp(1.0f, minNormal))
    return sign | uint8_t(rounded / std::ldexp(1.0f, minNormal - f.mantissaBits));
  int e = std::ilogb(rounded);
  int mantissa = int(std::ldexp(rounded, f.mantissaBits - e)) - (1 << f.mantissaBits);
  return sign | uint8_t(((e + f.bias) << f.mantissaBits) | mantissa);
}

float decodeBf16(uint16_t bits) {
  return std::bit_cast<float>(uint32_t(bits) << 16);
}

uint16_t encodeBf16(float value) {
  uint32_t bits = std::bit_cast<uint32_t>(value);
  if (std::isnan(value))
    return uint16_t((bits >> 16) | 0x40);
  bits += 0x7fff + ((bits >> 16) & 1); // round to nearest even
  return uint16_t(bits >> 16);
}

// One element of a type MPI cannot reduce, read as float and written back rounded.
template <ncclDataType_t T> struct Narrow;
template <> struct Narrow<ncclFloat16> {
  using Storage = _Float16;
  static float load(Storage v) { return float(v); }
  static Storage store(float v) { return Storage(v); }
};
template <> struct Narrow<ncclBfloat16> {
  using Storage = uint16_t;
  static float load(Storage v) { return decodeBf16(v); }
  static Storage store(float v) { return encodeBf16(v); }
};
template <> struct Narrow<ncclFloat8e4m3> {
  using Storage = uint8_t;
  static float load(Storage v) { return decodeFp8(v, kE4M3); }
  static Storage store(float v) { return encodeFp8(v, kE4M3); }
};
template <> struct Narrow<ncclFloat8e5m2> {
  using Storage = uint8_t;
  static float load(Storage v) { return decodeFp8(v, kE5M2); }
  static Storage store(float v) { return encodeFp8(v, kE5M2); }
};

template <ncclRedOp_t Op> float combine(float a, float b) {
  if constexpr (Op == ncclSum)
    return a + b;
  else if constexpr (Op == ncclProd)
    return a * b;
  else if constexpr (Op == ncclMax)
    return std::isnan(a) || std::isnan(b) ? NAN : std::max(a, b);
  else
    return std::isnan(a) || std::isnan(b) ? NAN : std::min(a, b);
}

// MPI_User_function: inout[i] = in[i] (op) inout[i], element by element.
template <ncclDataType_t T, ncclRedOp_t Op>
void reduceNarrow(void* in, void* inout, int* length, MPI_Datatype*) {
  using N = Narrow<T>;
  auto* a = static_cast<const typename N::Storage*>(in);
  auto* b = static_cast<typename N::Storage*>(inout);
  for (int i = 0; i < *length; ++i)
    b[i] = N::store(combine<Op>(N::load(a[i]), N::load(b[i])));
}

constexpr ncclDataType_t kNarrowTypes[] = {ncclFloat16, ncclBfloat16, ncclFloat8e4m3,
                                           ncclFloat8e5m2};
constexpr ncclRedOp_t kBuiltinOps[] = {ncclSum, ncclProd, ncclMax, ncclMin};

template <ncclDataType_t T>
constexpr MPI_User_function* narrowFunctions[] = {
    reduceNarrow<T, ncclSum>, reduceNarrow<T, ncclProd>, reduceNarrow<T, ncclMax>,
    reduceNarrow<T, ncclMin>};

// MPI objects for the narrow types, made once MPI is initialised (the first communicator).
struct NarrowTable {
  MPI_Datatype types[4];
  MPI_Op ops[4][4];
  NarrowTable() {
    MPI_User_function* const* functions[] = {
        narrowFunctions<ncclFloat16>, narrowFunctions<ncclBfloat16>,
        narrowFunctions<ncclFloat8e4m3>, narrowFunctions<ncclFloat8e5m2>};
    for (int t = 0; t < 4; ++t) {
      MPI_Type_contiguous(int(*elementSize(kNarrowTypes[t])), MPI_BYTE, &types[t]);
      MPI_Type_commit(&types[t]);
      for (int o = 0; o < 4; ++o)
        MPI_Op_create(functions[t][o], /*commute=*/1, &ops[t][o]);
    }
  }
};

const NarrowTable& narrowTable() {
  static const NarrowTable table;
  return table;
}

int narrowIndex(ncclDataType_t type) {
  auto it = std::find(std::begin(kNarrowTypes), std::end(kNarrowTypes), type);
  return it == std::end(kNarrowTypes) ? -1 : int(it - std::begin(kNarrowTypes));
}

// Calls f.template operator()<T>() with T the narrow type `type` names.
template <typename F> void dispatchNarrow(ncclDataType_t type, F&& f) {
  switch (type) {
  case ncclFloat16:
    return f.template operator()<ncclFloat16>();
  case ncclBfloat16:
    return f.template operator()<ncclBfloat16>();
  case ncclFloat8e4m3:
    return f.template operator()<ncclFloat8e4m3>();
  default:
    return f.template operator()<ncclFloat8e5m2>();
  }
}

template <typename T> void scaleAs(const void* in, void* out, size_t count, const void* scalar) {
  T s;
  std::memcpy(&s, scalar, sizeof s);
  for (size_t i = 0; i < count; ++i)
    static_cast<T*>(out)[i] = T(static_cast<const T*>(in)[i] * s);
}

template <typename T> void divideAs(void* data, size_t count, int divisor) {
  for (size_t i = 0; i < count; ++i)
    static_cast<T*>(data)[i] = T(static_cast<T*>(data)[i] / T(divisor));
}

} // namespace

std::optional<size_t> elementSize(ncclDataType_t type) {
  switch (type) {
  case ncclInt8:
  case ncclUint8:
  case ncclFloat8e4m3:
  case ncclFloat8e5m2:
    return 1;
  case ncclFloat16:
  case ncclBfloat16:
    return 2;
  case ncclInt32:
  case ncclUint32:
  case ncclFloat32:
    return 4;
  case ncclInt64:
  case ncclUint64:
  case ncclFloat64:
    return 8;
  default:
    return std::nullopt;
  }
}

bool isFloating(ncclDataType_t type) {
  return type == ncclFloat16 || type == ncclFloat32 || type == ncclFloat64 ||
         type == ncclBfloat16 || type == ncclFloat8e4m3 || type == ncclFloat8e5m2;
}

MPI_Datatype mpiType(ncclDataType_t type) {
  switch (type) {
  case ncclInt8:
    return MPI_INT8_T;
  case ncclUint8:
    return MPI_UINT8_T;
  case ncclInt32:
    return MPI_INT32_T;
  case ncclUint32:
    return MPI_UINT32_T;
  case ncclInt64:
    return MPI_INT64_T;
  case ncclUint64:
    return MPI_UINT64_T;
  case ncclFloat32:
    return MPI_FLOAT;
  case ncclFloat64:
    return MPI_DOUBLE;
  default:
    return narrowTable().types[narrowIndex(type)];
  }
}

MPI_Op mpiOp(ncclDataType_t type, ncclRedOp_t op) {
  int o =
      int(std::find(std::begin(kBuiltinOps), std::end(kBuiltinOps), op) - std::begin(kBuiltinOps));
  if (int t = narrowIndex(type); t >= 0)
    return narrowTable().ops[t][o];
  const MPI_Op builtin[] = {MPI_SUM, MPI_PROD, MPI_MAX, MPI_MIN};
  return builtin[o];
}

void scale(const void* in, void* out, size_t count, ncclDataType_t type, const void* scalar) {
  switch (type) {
  case ncclInt8:
    return scaleAs<int8_t>(in, out, count, scalar);
  case ncclUint8:
    return scaleAs<uint8_t>(in, out, count, scalar);
  case ncclInt32:
    return scaleAs<int32_t>(in, out, count, scalar);
  case ncclUint32:
    return scaleAs<uint32_t>(in, out, count, scalar);
  case ncclInt64:
    return scaleAs<int64_t>(in, out, count, scalar);
  case ncclUint64:
    return scaleAs<uint64_t>(in, out, count, scalar);
  case ncclFloat32:
    return scaleAs<float>(in, out, count, scalar);
  case ncclFloat64:
    return scaleAs<double>(in, out, count, scalar);
  default:
    return dispatchNarrow(type, [&]<ncclDataType_t T>() {
      using N = Narrow<T>;
      typename N::Storage s;
      std::memcpy(&s, scalar, sizeof s);
      float factor = N::load(s);
      auto* a = static_cast<const typename N::Storage*>(in);
      auto* b = static_cast<typename N::Storage*>(out);
      for (size_t i = 0; i < count; ++i)
        b[i] = N::store(N::load(a[i]) * factor);
    });
  }
}

void divide(void* data, size_t count, ncclDataType_t type, int divisor) {
  switch (type) {
  case ncclInt8:
    return divideAs<int8_t>(data, count, divisor);
  case ncclUint8:
    return divideAs<uint8_t>(data, count, divisor);
  case ncclInt32:
    return divideAs<int32_t>(data, count, divisor);
  case ncclUint32:
    return divideAs<uint32_t>(data, count, divisor);
  case ncclInt64:
    return divideAs<int64_t>(data, count, divisor);
  default:
    return divideAs<uint64_t>(data, count, divisor);
  }
}

void fromDouble(double value, ncclDataType_t type, void* element) {
  switch (type) {
  case ncclFloat32: {
    float v = float(value);
    std::memcpy(element, &v, sizeof v);
    return;
  }
  case ncclFloat64:
    std::memcpy(element, &value, sizeof value);
    return;
  default:
    return dispatchNarrow(type, [&]<ncclDataType_t T>() {
      auto stored = Narrow<T>::store(float(value));
      std::memcpy(element, &stored, sizeof stored);
    });
  }
}

} // namespace drawbridge::nccl
