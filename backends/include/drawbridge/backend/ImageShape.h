// The calls a lowered tex, tld4, txq, suld, sust, suq or sured instruction makes (the PTX frontend
// emits them, frontend/ptx/src/lower/Textures.cpp; the CPU backend defines them, ImageAccess.cpp),
// and the one 32-bit word in which the instruction describes itself.
#pragma once

#include <cstdint>

namespace drawbridge::backend {

/// int32_t (uint64_t handle, uint32_t shape, const uint32_t coords[12], uint32_t out[4]):
/// samples a texture object; returns 0 when the handle names none. Words 0-3 are the
/// coordinates; an explicit level (kShapeLevel) is word 4, gradients (kShapeGradients) words
/// 4-6 (d/dx) and 8-10 (d/dy), all f32.
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
/// int32_t (uint64_t handle, uint32_t query, const int32_t* level, uint32_t* out): answers a
/// txq or suq query (an ImageQuery, kQuerySurface for suq, kQueryLevel for txq.level with the
/// level in *level) in out[0]; returns 0 when the handle names no texture (txq) or surface (suq)
/// object.
inline constexpr const char* kImageQueryHook = "__drawbridge_imgq";

// Texture shape word.
inline constexpr uint32_t kShapeDimsMask = 3;            // 1, 2 or 3 coordinates
inline constexpr uint32_t kShapeIntegerCoords = 1u << 2; // .s32 coordinates
inline constexpr uint32_t kShapeResultShift = 3;         // 0: f32, 1: s32, 2: u32
inline constexpr uint32_t kShapeGather = 1u << 5;        // tld4
inline constexpr uint32_t kShapeComponentShift = 6;      // tld4's component, 0..3
inline constexpr uint32_t kShapeCube = 1u << 8;          // .cube, .acube: dims 3, a direction
inline constexpr uint32_t kShapeLevel = 1u << 9;         // tex.level
inline constexpr uint32_t kShapeGradients = 1u << 10;    // tex.grad

/// Both words: a layered (.a1d, .a2d) access; the layer index is coordinate word 3.
inline constexpr uint32_t kShapeLayered = 1u << 30;

// Surface shape word: dims as above, then the out-of-bounds mode and the access size in bytes.
inline constexpr uint32_t kShapeModeShift = 2; // 0: .trap, 1: .clamp, 2: .zero
inline constexpr uint32_t kShapeBytesShift = 8;
// sured's shape word adds the operation, the operand's signedness and .p (x in elements).
inline constexpr uint32_t kShapeReduceShift = 16;
inline constexpr uint32_t kShapeReduceSigned = 1u << 19;
inline constexpr uint32_t kShapeSampleAddressed = 1u << 20;
// sust.p: x in elements, and the data 32-bit words (f32, s32 or u32 as the format's kind) that
// the store converts to the surface's format.
inline constexpr uint32_t kShapeFormatted = 1u << 21;
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
  ForceUnnormalizedCoords,
};
inline constexpr uint32_t kQuerySurface = 1u << 8; // suq: the handle names a surface object
inline constexpr uint32_t kQueryLevel = 1u << 9;   // txq.level: an extent of one mipmap level

} // namespace drawbridge::backend
