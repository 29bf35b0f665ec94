// What lowered texture and surface instructions call (drawbridge/backend/ImageShape.h): the
// software texture unit, resolved by the JIT beside the other runtime functions.
#pragma once

#include "Runtime.h"
#include "drawbridge/backend/Images.h"

#include <span>

namespace drawbridge::backend::cpu {

std::span<const RuntimeSymbol> imageSymbols();

/// Samples one level of a texture (ImageAccess.cpp): for a layered image, layer coords[3]
/// (clamped to the layers there are); coords[0-2] as the shape word gives them.
void sampleLayer(const ImageObject& image, uint32_t shape, const uint32_t* coords, uint32_t out[4]);
/// Picks the cube face and mipmap levels a fetch reads and samples them (TextureLevels.cpp);
/// returns 0 after saying why when the fetch does not fit the texture.
int32_t sampleTexture(uint64_t handle, const ImageObject& image, uint32_t shape,
                      const uint32_t* coords, uint32_t out[4]);
/// sust.p: one texel of the surface's format from `count` 32-bit words (SurfaceFormats.cpp).
void formatTexel(const ImageObject& image, const uint32_t* words, uint32_t count, char* texel);

/// txq and suq (ImageQueries.cpp).
extern "C" int32_t drawbridgeImageQuery(uint64_t handle, uint32_t query, const int32_t* level,
                                        uint32_t* out);

} // namespace drawbridge::backend::cpu
