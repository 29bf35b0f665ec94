// The calls a lowered tex, tld4, txq, suld, sust, suq or sured instruction makes (the PTX frontend
// emits them, frontend/ptx/src/lower/Textures.cpp; the CPU backend defines them, ImageAccess.cpp),
// and the one 32-bit word in which the instruction describes itself.
#pragma once

#include <cstdint>

namespace drawbridge::backend {

/// int32_t (uint64_t handle, uint32_t shape, const uint32_t coords[4], uint32_t out[4]):
/// samples a texture object; returns 0 when the handle names none.
inline constexpr const char* kTextureHook = "__drawbridge_tex";
/// int32_t (uint64_t handle, uint32_t shape, const int32_t coords[3], void* data): loads or
/// stores a surface element; returns 0 when the handle names none or a .trap access is out of
/// bounds.
inline constexpr const char* kSurfaceLoadHook = "__drawbridge_suld";
inline constexpr const char* kSurfaceStoreHook = "__drawbridge_sust";
/// int32_t (uint64_t handle, uint32_t shape, const int32_t coords[4], const uint64_t* operand):
/// reduces the operand into a surface element (sured); returns 0 as the surface hooks do, or
/// when the surface's format is one the reduction cannot use.
inline constexpr const char* kSurfaceReduceHook = "__drawbridge_sured";
/// int32_t (uint64_t handle, uint32_t query, const void* unused, uint32_t* out): answers a txq
/// or suq query (an ImageQuery, kQuerySurface for suq) in out[0]; returns 0 when the handle
/// names no texture (txq) or surface (suq) object.
inline constexpr const char* kImageQueryHook = "__drawbridge_imgq";

// Texture shape word.
inline constexpr uint32_t kShapeDimsMask = 3;            // 1, 2 or 3 coordinates
inline constexpr uint32_t kShapeIntegerCoords = 1u << 2; // .s32 coordinates
inline constexpr uint32_t kShapeResultShift = 3;         // 0: f32, 1: s32, 2: u32
inline constexpr uint32_t kShapeGather = 1u << 5;        // tld4
inline constexpr uint32_t kShapeComponentShift = 6;      // tld4's component, 0..3

/// Both words: a layered (.a1d, .a2d) access; the layer index is coordinate word 3.
inline constexpr uint32_t kShapeLayered = 1u << 30;

// Surface shape word: dims as above, then the out-of-bounds mode and the access size in bytes.
inline constexpr uint32_t kShapeModeShift = 2; // 0: .trap, 1: .clamp, 2: .zero
inline constexpr uint32_t kShapeBytesShift = 8;
// sured's shape word adds the operation, the operand's signedness and .p (x in elements).
inline constexpr uint32_t kShapeReduceShift = 16;
inline constexpr uint32_t kShapeReduceSigned = 1u << 19;
inline constexpr uint32_t kShapeSampleAddressed = 1u << 20;
enum class SurfaceReduction : uint32_t { Add, Min, Max, And, Or };

/// What txq and suq ask, by the name of their PTX modifier.
enum class ImageQuery : uint32_t {
  Width,
  Height,
  Depth,
  ChannelDataType,
  ChannelOrder,
  NormalizedCoords,
  FilterMode,
  AddrMode0,
  AddrMode1,
  AddrMode2,
  ArraySize,
  NumMipmapLevels,
  NumSamples,
  MemoryLayout,
};
inline constexpr uint32_t kQuerySurface = 1u << 8; // suq: the handle names a surface object

} // namespace drawbridge::backend
