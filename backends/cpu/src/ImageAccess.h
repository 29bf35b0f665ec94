// What lowered texture and surface instructions call (drawbridge/backend/ImageShape.h): the
// software texture unit, resolved by the JIT beside the other runtime functions.
#pragma once

#include "Runtime.h"
#include "drawbridge/backend/Images.h"

#include <span>

namespace drawbridge::backend::cpu {

std::span<const RuntimeSymbol> imageSymbols();

/// txq and suq (ImageQueries.cpp).
extern "C" int32_t drawbridgeImageQuery(uint64_t handle, uint32_t query, const void* unused,
                                        uint32_t* out);

} // namespace drawbridge::backend::cpu
