// What a texture fetch reads before any filtering: the cube face a direction points at, and the
// mipmap level or levels its level of detail selects. Cube faces follow the CUDA Programming
// Guide's table ("Cubemap Textures": the major axis picks the face, the other two give (s, t));
// faces are not filtered across (no seamless cube filtering). Levels follow cudaTextureDesc's
// documentation and the Programming Guide's level of detail: log2 of the longer of the two
// gradients scaled to texels, plus mipmapLevelBias, clamped to [minMipmapLevelClamp,
// maxMipmapLevelClamp] and the levels there are; point selection takes the nearest level, linear
// blends the two around it with the same 8-bit weight as texel filtering. A fetch without a
// level (tex, tld4) asks for level 0, to which the bias and clamps apply as to any other
// (Drawbridge's reading of the documentation, not measured on NVIDIA hardware).
#include "ImageAccess.h"
#include "drawbridge/backend/ImageShape.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdio>
#include <cstring>

namespace drawbridge::backend::cpu {
namespace {

void reportMismatch(uint64_t handle, const char* image, const char* fetch) {
  std::fprintf(stderr, "drawbridge: a kernel used %s texture object 0x%llx with a %s fetch\n",
               image, static_cast<unsigned long long>(handle), fetch);
}

// The face (s, t) in [0, 1] and face index of direction (x, y, z), in words 0-1 and the face.
uint32_t cubeFace(const uint32_t coords[3], uint32_t st[2]) {
  float x = std::bit_cast<float>(coords[0]), y = std::bit_cast<float>(coords[1]),
        z = std::bit_cast<float>(coords[2]);
  float ax = std::fabs(x), ay = std::fabs(y), az = std::fabs(z);
  float major, s, t;
  uint32_t face;
  if (ax >= ay && ax >= az) {
    major = ax;
    face = x >= 0 ? 0 : 1;
    s = x >= 0 ? -z : z;
    t = -y;
  } else if (ay >= az) {
    major = ay;
    face = y >= 0 ? 2 : 3;
    s = x;
    t = y >= 0 ? z : -z;
  } else {
    major = az;
    face = z >= 0 ? 4 : 5;
    s = z >= 0 ? x : -x;
    t = -y;
  }
  st[0] = std::bit_cast<uint32_t>((s / major + 1) / 2);
  st[1] = std::bit_cast<uint32_t>((t / major + 1) / 2);
  return face;
}

// The image as mipmap level `index` alone.
ImageObject levelOf(const ImageObject& image, uint32_t index) {
  ImageObject level = image;
  level.useLevel(image.level[index]);
  level.levels = 0;
  return level;
}

// The level of detail before bias and clamps: given, from gradients, or 0.
float levelOfDetail(const ImageObject& image, uint32_t shape, const uint32_t* coords) {
  if (shape & kShapeLevel)
    return std::bit_cast<float>(coords[4]);
  if (!(shape & kShapeGradients))
    return 0;
  const float sizes[3] = {float(image.width), float(image.height), float(image.depth)};
  uint32_t dims = std::min(image.dims, shape & kShapeDimsMask);
  float lengths[2];
  for (int g = 0; g < 2; ++g) {
    float sum = 0;
    for (uint32_t d = 0; d < dims; ++d) {
      float v =
          std::bit_cast<float>(coords[4 + 4 * g + d]) * (image.normalizedCoords ? sizes[d] : 1);
      sum += v * v;
    }
    lengths[g] = std::sqrt(sum);
  }
  return std::log2(std::max(lengths[0], lengths[1]));
}

// The result words as floats when the fetch returns floats (every result but an integer
// texture's element-type read, which linear filtering between levels never reaches).
bool blendable(const ImageObject& image, uint32_t shape) {
  bool floatResult = ((shape >> kShapeResultShift) & 3) == 0;
  return floatResult || image.kind == ChannelKind::Float || image.normalizedRead;
}

void sampleLevels(const ImageObject& image, uint32_t shape, const uint32_t* coords,
                  uint32_t out[4]) {
  if (image.levels == 0)
    return sampleLayer(image, shape, coords, out);
  float lod = levelOfDetail(image, shape, coords) + image.levelBias;
  // fmax/fmin also turn a NaN (no gradient at all gives -inf, not NaN) into the clamp.
  lod = std::fmin(std::fmax(lod, image.minLevel), image.maxLevel);
  lod = std::clamp(lod, 0.0f, float(image.levels - 1));
  bool gather = shape & kShapeGather;
  if (!image.mipmapLinear || gather || !blendable(image, shape)) {
    uint32_t nearest = static_cast<uint32_t>(std::floor(lod + 0.5f));
    return sampleLayer(levelOf(image, std::min(nearest, image.levels - 1)), shape, coords, out);
  }
  uint32_t lower = static_cast<uint32_t>(std::floor(lod));
  float weight = std::nearbyint((lod - float(lower)) * 256.0f) / 256.0f;
  sampleLayer(levelOf(image, lower), shape, coords, out);
  if (weight == 0 || lower + 1 >= image.levels)
    return;
  uint32_t upper[4];
  sampleLayer(levelOf(image, lower + 1), shape, coords, upper);
  for (int c = 0; c < 4; ++c)
    out[c] = std::bit_cast<uint32_t>((1 - weight) * std::bit_cast<float>(out[c]) +
                                     weight * std::bit_cast<float>(upper[c]));
}

} // namespace

int32_t sampleTexture(uint64_t handle, const ImageObject& image, uint32_t shape,
                      const uint32_t* coords, uint32_t out[4]) {
  bool layered = shape & kShapeLayered;
  if (bool(shape & kShapeCube) != image.cube) {
    reportMismatch(handle, image.cube ? "cubemap" : "non-cubemap",
                   image.cube ? "non-cube" : "cube");
    return 0;
  }
  if (!image.cube && layered != image.layered) {
    reportMismatch(handle, image.layered ? "layered" : "unlayered",
                   layered ? "layered" : "unlayered");
    return 0;
  }
  if (image.cube && layered != (image.depth > 6)) {
    reportMismatch(handle, image.depth > 6 ? "layered cubemap" : "cubemap",
                   layered ? "layered cube" : "cube");
    return 0;
  }
  if (!image.cube)
    return sampleLevels(image, shape, coords, out), 1;
  // A cube fetch reads face (cube * 6 + face) of a layered 2D image at normalized (s, t),
  // clamped at the face's edges; the rest of the words (level, gradients) pass through.
  uint32_t words[12];
  std::memcpy(words, coords, sizeof words);
  uint32_t cubes = image.depth / 6;
  uint32_t cube =
      layered ? std::min<uint32_t>(std::max<int32_t>(int32_t(coords[3]), 0), cubes - 1) : 0;
  words[3] = cube * 6 + cubeFace(coords, words);
  words[2] = 0;
  ImageObject faces = image;
  faces.normalizedCoords = true;
  faces.address[0] = faces.address[1] = AddressMode::Clamp;
  sampleLevels(faces, (shape & ~(kShapeCube | kShapeDimsMask)) | kShapeLayered | 2, words, out);
  return 1;
}

} // namespace drawbridge::backend::cpu
