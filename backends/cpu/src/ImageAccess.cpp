// Texture sampling and surface access in software, as NVIDIA's texture units do them (CUDA
// Programming Guide, "Texture Fetching"): coordinates scaled when normalized, each texel index
// addressed by its dimension's mode, point or linear filtering with 8-bit fractional weights,
// and integer texels read as themselves or as normalized floats.
#include "ImageAccess.h"

#include "drawbridge/backend/ImageShape.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstring>

namespace drawbridge::backend::cpu {
namespace {

struct Texel {
  float f[4];
  int32_t i[4]; // the raw integer values, for element-type integer reads
};

float halfToFloat(uint16_t h) {
  uint32_t sign = uint32_t(h >> 15) << 31, exponent = (h >> 10) & 0x1f, mantissa = h & 0x3ff;
  float magnitude;
  if (exponent == 0)
    magnitude = std::ldexp(static_cast<float>(mantissa), -24);
  else if (exponent == 31)
    magnitude = mantissa ? NAN : INFINITY;
  else
    magnitude = std::ldexp(static_cast<float>(mantissa | 0x400), static_cast<int>(exponent) - 25);
  uint32_t bits;
  std::memcpy(&bits, &magnitude, 4);
  bits |= sign;
  std::memcpy(&magnitude, &bits, 4);
  return magnitude;
}

float srgbToLinear(float c) {
  return c <= 0.04045f ? c / 12.92f : std::pow((c + 0.055f) / 1.055f, 2.4f);
}

// One channel of raw memory as an integer (sign- or zero-extended) and as the float a read of
// the texture's mode gives.
void readChannel(const ImageObject& image, const char* p, int32_t& asInt, float& asFloat) {
  switch (image.channelBits) {
  case 8:
    asInt = image.kind == ChannelKind::Signed ? int32_t(*reinterpret_cast<const int8_t*>(p))
                                              : int32_t(*reinterpret_cast<const uint8_t*>(p));
    break;
  case 16: {
    uint16_t raw;
    std::memcpy(&raw, p, 2);
    if (image.kind == ChannelKind::Float) {
      asInt = raw;
      asFloat = halfToFloat(raw);
      return;
    }
    asInt = image.kind == ChannelKind::Signed ? int32_t(int16_t(raw)) : int32_t(raw);
    break;
  }
  default:
    std::memcpy(&asInt, p, 4);
    if (image.kind == ChannelKind::Float) {
      std::memcpy(&asFloat, p, 4);
      return;
    }
  }
  if (!image.normalizedRead) {
    asFloat = static_cast<float>(asInt);
    return;
  }
  // Unsigned n-bit integers map to [0,1] over 2^n - 1, signed ones to [-1,1] over 2^(n-1) - 1.
  float scale = image.kind == ChannelKind::Signed ? float((1u << (image.channelBits - 1)) - 1)
                                                  : float((1u << image.channelBits) - 1);
  asFloat = std::max(static_cast<float>(asInt) / scale, -1.0f);
}

Texel fetch(const ImageObject& image, int64_t x, int64_t y, int64_t z) {
  Texel t{{0, 0, 0, 1}, {0, 0, 0, 1}};
  const char* p = image.base + z * image.slicePitch + y * image.rowPitch + x * image.texelBytes();
  for (uint32_t c = 0; c < image.channels; ++c)
    readChannel(image, p + c * image.channelBits / 8, t.i[c], t.f[c]);
  if (image.srgb && image.normalizedRead)
    for (uint32_t c = 0; c < std::min(image.channels, 3u); ++c)
      t.f[c] = srgbToLinear(t.f[c]);
  return t;
}

Texel border(const ImageObject& image) {
  Texel t;
  for (int c = 0; c < 4; ++c) {
    t.f[c] = image.border[c];
    t.i[c] = static_cast<int32_t>(image.border[c]);
  }
  return t;
}

// A texel index in one dimension after its address mode; -1 when it falls on the border.
// Wrap and mirror apply only to normalized coordinates; otherwise CUDA clamps.
int64_t address(int64_t i, int64_t size, AddressMode mode, bool normalized) {
  if (!normalized && (mode == AddressMode::Wrap || mode == AddressMode::Mirror))
    mode = AddressMode::Clamp;
  switch (mode) {
  case AddressMode::Wrap:
    return ((i % size) + size) % size;
  case AddressMode::Mirror: {
    int64_t j = ((i % (2 * size)) + 2 * size) % (2 * size);
    return j < size ? j : 2 * size - 1 - j;
  }
  case AddressMode::Clamp:
    return std::clamp<int64_t>(i, 0, size - 1);
  case AddressMode::Border:
    return i < 0 || i >= size ? -1 : i;
  }
  return -1;
}

Texel at(const ImageObject& image, const int64_t index[3]) {
  const int64_t sizes[3] = {image.width, image.height, image.depth};
  int64_t where[3] = {0, 0, 0};
  for (uint32_t d = 0; d < image.dims; ++d) {
    where[d] = address(index[d], sizes[d], image.address[d], image.normalizedCoords);
    if (where[d] < 0)
      return border(image);
  }
  return fetch(image, where[0], where[1], where[2]);
}

// floor(x) as an index; coordinates beyond any extent (and NaN) saturate rather than overflow,
// and every address mode maps them to a texel or the border like any far-out coordinate.
int64_t texelIndex(float x) {
  if (!(x == x))
    return 0;
  return static_cast<int64_t>(std::clamp(std::floor(x), -1e15f, 1e15f));
}

// The weight of the upper texel in linear filtering: the fraction in 9-bit fixed point with 8
// fractional bits, so 1.0 is exact.
float weight(float fraction) {
  return std::nearbyint(fraction * 256.0f) / 256.0f;
}

void sample(const ImageObject& image, uint32_t shape, const uint32_t coords[4], uint32_t out[4]) {
  // Coordinates the instruction has and the image uses; a dimension it does not give is read
  // at index 0.
  const uint32_t dims = std::min(image.dims, shape & kShapeDimsMask);
  const int64_t sizes[3] = {image.width, image.height, image.depth};
  bool integer = shape & kShapeIntegerCoords;
  float x[3] = {0, 0, 0};
  int64_t base[3] = {0, 0, 0};
  for (uint32_t d = 0; d < dims; ++d) {
    if (integer) {
      base[d] = static_cast<int32_t>(coords[d]);
      continue;
    }
    std::memcpy(&x[d], &coords[d], 4);
    if (image.normalizedCoords)
      x[d] *= static_cast<float>(sizes[d]);
  }
  bool gather = shape & kShapeGather;
  Texel result;
  if (integer || (!image.linearFilter && !gather)) {
    for (uint32_t d = 0; d < dims && !integer; ++d)
      base[d] = texelIndex(x[d]);
    result = at(image, base);
  } else {
    // Linear filtering and gathers use the 2^dims texels around x - 0.5.
    float alpha[3] = {0, 0, 0};
    for (uint32_t d = 0; d < dims; ++d) {
      float shifted = x[d] - 0.5f;
      float lower = std::floor(shifted);
      base[d] = texelIndex(lower);
      alpha[d] = weight(shifted - lower);
    }
    if (gather) {
      // tld4: one component of the four texels, in the order (i,j+1), (i+1,j+1), (i+1,j), (i,j).
      uint32_t component = (shape >> kShapeComponentShift) & 3;
      const int64_t offsets[4][2] = {{0, 1}, {1, 1}, {1, 0}, {0, 0}};
      for (int k = 0; k < 4; ++k) {
        int64_t index[3] = {base[0] + offsets[k][0], base[1] + offsets[k][1], 0};
        Texel t = at(image, index);
        result.f[k] = t.f[component];
        result.i[k] = t.i[component];
      }
    } else {
      for (float& f : result.f)
        f = 0;
      for (uint32_t corner = 0; corner < (1u << dims); ++corner) {
        int64_t index[3] = {base[0], base[1], base[2]};
        float w = 1;
        for (uint32_t d = 0; d < dims; ++d) {
          bool upper = corner & (1u << d);
          index[d] += upper;
          w *= upper ? alpha[d] : 1 - alpha[d];
        }
        Texel t = at(image, index);
        for (int c = 0; c < 4; ++c)
          result.f[c] += w * t.f[c];
      }
    }
  }
  uint32_t kind = (shape >> kShapeResultShift) & 3;
  bool floatResult = kind == 0;
  // An element-type read of an integer texture returns the integers themselves.
  bool rawIntegers = !floatResult && image.kind != ChannelKind::Float && !image.normalizedRead;
  for (int c = 0; c < 4; ++c) {
    if (floatResult || !rawIntegers)
      std::memcpy(&out[c], &result.f[c], 4);
    else
      out[c] = static_cast<uint32_t>(result.i[c]);
  }
}

} // namespace

void sampleLayer(const ImageObject& image, uint32_t shape, const uint32_t* coords,
                 uint32_t out[4]) {
  if (!image.layered)
    return sample(image, shape, coords, out);
  // One layer, clamped to the ones there are, sampled as a texture of its own.
  ImageObject layer = image;
  int64_t index = std::clamp<int64_t>(static_cast<int32_t>(coords[3]), 0, image.depth - 1);
  layer.base += index * image.slicePitch;
  layer.depth = 1;
  sample(layer, shape, coords, out);
}

namespace {

void reportBadHandle(const char* what, uint64_t handle) {
  std::fprintf(stderr,
               "drawbridge: a kernel used %s object 0x%llx, which names no live %s object\n", what,
               static_cast<unsigned long long>(handle), what);
}

void reportOutside(const int32_t coords[3], uint32_t dims) {
  static std::atomic<bool> reported{false};
  if (reported.exchange(true))
    return;
  std::fprintf(stderr,
               "drawbridge: a kernel's .trap surface access at (%d, %d, %d) (x in bytes) is "
               "outside the surface\n",
               coords[0], dims > 1 ? coords[1] : 0, dims > 2 ? coords[2] : 0);
}

// The byte address a surface access reaches, after its out-of-bounds mode; null for .zero
// accesses outside the surface; `ok` false for .trap ones.
char* surfaceAddress(const ImageObject& image, uint32_t shape, const int32_t coords[3],
                     uint32_t bytes, bool& ok) {
  ok = true;
  uint32_t dims = shape & kShapeDimsMask;
  uint32_t mode = (shape >> kShapeModeShift) & 3;
  // x is in bytes; y and z in elements.
  int64_t limits[3] = {int64_t(image.width) * image.texelBytes() - bytes, int64_t(image.height) - 1,
                       int64_t(image.depth) - 1};
  int64_t at[3] = {0, 0, 0};
  for (uint32_t d = 0; d < dims; ++d) {
    at[d] = coords[d];
    if (at[d] >= 0 && at[d] <= limits[d])
      continue;
    if (mode == 1) {
      at[d] = std::clamp<int64_t>(at[d], 0, limits[d]);
      continue;
    }
    ok = mode == 2;
    if (!ok)
      reportOutside(coords, dims);
    return nullptr;
  }
  return image.base + at[2] * image.slicePitch + at[1] * image.rowPitch + at[0];
}

// A layered access's (x[, y]) and layer as the (x, y, z) of a 3D one: layers are slices.
uint32_t flatten(uint32_t shape, const int32_t* coords, int32_t at[3]) {
  uint32_t dims = shape & kShapeDimsMask;
  for (uint32_t d = 0; d < 3; ++d)
    at[d] = d < dims ? coords[d] : 0;
  if (!(shape & kShapeLayered))
    return shape;
  at[2] = coords[3];
  return (shape & ~(kShapeDimsMask | kShapeLayered)) | 3;
}

const ImageObject* surface(uint64_t handle) {
  const ImageObject* image = findImage(handle);
  if (!image || !image->surface) {
    reportBadHandle("surface", handle);
    return nullptr;
  }
  return image;
}

} // namespace

extern "C" int32_t drawbridgeTexture(uint64_t handle, uint32_t shape, const uint32_t* coords,
                                     uint32_t* out) {
  const ImageObject* image = findImage(handle);
  if (!image || image->surface) {
    reportBadHandle("texture", handle);
    return 0;
  }
  if (image->linear) {
    // tex1Dfetch: the element at the integer index; zero outside the buffer.
    int64_t i = static_cast<int32_t>(coords[0]);
    if (!(shape & kShapeIntegerCoords)) {
      float x;
      std::memcpy(&x, &coords[0], 4);
      i = texelIndex(x);
    }
    if (i < 0 || i >= image->width) {
      std::memset(out, 0, 4 * sizeof(uint32_t));
      return 1;
    }
    const uint32_t index[4] = {static_cast<uint32_t>(i), 0, 0, 0};
    sample(*image, (shape & ~kShapeDimsMask) | 1 | kShapeIntegerCoords, index, out);
    return 1;
  }
  return sampleTexture(handle, *image, shape, coords, out);
}

extern "C" int32_t drawbridgeSurfaceLoad(uint64_t handle, uint32_t shape, const int32_t* coords,
                                         void* data) {
  const ImageObject* image = surface(handle);
  if (!image)
    return 0;
  uint32_t bytes = (shape & ~kShapeLayered) >> kShapeBytesShift;
  int32_t at[3];
  shape = flatten(shape, coords, at);
  bool ok;
  char* p = surfaceAddress(*image, shape, at, bytes, ok);
  if (p)
    std::memcpy(data, p, bytes);
  else
    std::memset(data, 0, bytes);
  return ok;
}

extern "C" int32_t drawbridgeSurfaceStore(uint64_t handle, uint32_t shape, const int32_t* coords,
                                          const void* data) {
  const ImageObject* image = surface(handle);
  if (!image)
    return 0;
  uint32_t bytes = ((shape & ~kShapeLayered) >> kShapeBytesShift) & 0xff;
  int32_t at[3];
  shape = flatten(shape, coords, at);
  char texel[16];
  if (shape & kShapeFormatted) {
    // sust.p: x counts elements; the data words become one element of the surface's format.
    formatTexel(*image, static_cast<const uint32_t*>(data), bytes / 4, texel);
    data = texel;
    bytes = image->texelBytes();
    int64_t x = int64_t(at[0]) * bytes;
    at[0] = static_cast<int32_t>(std::clamp<int64_t>(x, INT32_MIN, INT32_MAX & ~int64_t(15)));
  }
  bool ok;
  if (char* p = surfaceAddress(*image, shape, at, bytes, ok))
    std::memcpy(p, data, bytes);
  return ok;
}

namespace {

// One reduction on the element at p, atomically, as a red instruction would do it.
template <typename T> void reduce(T* p, T operand, SurfaceReduction op) {
  switch (op) {
  case SurfaceReduction::Add:
    __atomic_fetch_add(p, operand, __ATOMIC_RELAXED);
    return;
  case SurfaceReduction::Min:
    __atomic_fetch_min(p, operand, __ATOMIC_RELAXED);
    return;
  case SurfaceReduction::Max:
    __atomic_fetch_max(p, operand, __ATOMIC_RELAXED);
    return;
  case SurfaceReduction::And:
    __atomic_fetch_and(p, operand, __ATOMIC_RELAXED);
    return;
  case SurfaceReduction::Or:
    __atomic_fetch_or(p, operand, __ATOMIC_RELAXED);
    return;
  }
}

void reportUnreducible(uint64_t handle, const char* why) {
  std::fprintf(stderr, "drawbridge: a kernel's sured on surface object 0x%llx: %s\n",
               static_cast<unsigned long long>(handle), why);
}

} // namespace

extern "C" int32_t drawbridgeSurfaceReduce(uint64_t handle, uint32_t shape, const int32_t* coords,
                                           const uint64_t* operand) {
  const ImageObject* image = surface(handle);
  if (!image)
    return 0;
  uint32_t bytes = ((shape & ~kShapeLayered) >> kShapeBytesShift) & 0xff;
  bool isSigned = shape & kShapeReduceSigned;
  int32_t at[3];
  shape = flatten(shape, coords, at);
  if (shape & kShapeSampleAddressed) {
    // sured.p: x counts elements, whose format gives the operation's signedness.
    if (image->texelBytes() != bytes || image->kind == ChannelKind::Float) {
      reportUnreducible(handle, "sured.p needs a surface of one 32- or 64-bit integer channel "
                                "(formatted reductions are not supported)");
      return 0;
    }
    // Far outside either way: a .clamp or .zero reduction there stays outside after scaling.
    int64_t x = int64_t(at[0]) * bytes;
    at[0] = static_cast<int32_t>(std::clamp<int64_t>(x, INT32_MIN, INT32_MAX & ~int64_t(7)));
    isSigned = image->kind == ChannelKind::Signed;
  }
  if (at[0] % static_cast<int32_t>(bytes) != 0) {
    reportUnreducible(handle, "x is not a multiple of the operand's size");
    return 0;
  }
  bool ok;
  char* p = surfaceAddress(*image, shape, at, bytes, ok);
  if (!p)
    return ok;
  auto op = static_cast<SurfaceReduction>((shape >> kShapeReduceShift) & 7);
  if (bytes == 4 && isSigned)
    reduce(reinterpret_cast<int32_t*>(p), static_cast<int32_t>(*operand), op);
  else if (bytes == 4)
    reduce(reinterpret_cast<uint32_t*>(p), static_cast<uint32_t>(*operand), op);
  else if (isSigned)
    reduce(reinterpret_cast<int64_t*>(p), static_cast<int64_t>(*operand), op);
  else
    reduce(reinterpret_cast<uint64_t*>(p), *operand, op);
  return 1;
}

const RuntimeSymbol kImageSymbols[] = {
    {kSurfaceReduceHook, reinterpret_cast<void*>(&drawbridgeSurfaceReduce)},
    {kImageQueryHook, reinterpret_cast<void*>(&drawbridgeImageQuery)},
    {kTextureHook, reinterpret_cast<void*>(&drawbridgeTexture)},
    {kSurfaceLoadHook, reinterpret_cast<void*>(&drawbridgeSurfaceLoad)},
    {kSurfaceStoreHook, reinterpret_cast<void*>(&drawbridgeSurfaceStore)},
};

std::span<const RuntimeSymbol> imageSymbols() {
  return kImageSymbols;
}

} // namespace drawbridge::backend::cpu
