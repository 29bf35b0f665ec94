// Texture and surface queries (txq, suq) and surface reductions (sured), which CUDA C++ has no
// functions for, from inline PTX in an nvcc-built program. Run as `image_queries SECTION`.
// The expected query answers follow from the PTX ISA ("Texture, Sampler, and Surface Types";
// derived, not yet measured on an NVIDIA GPU): extents in elements, a dimension the image lacks
// reading 1; the channel data type and order as the OpenCL 1.0 constants the ISA lists; filter
// and address modes as CUDA's enums; the layer count of a layered image (0 otherwise); 0 mipmap
// levels, samples and memory layout (CUDA arrays are block linear). The reductions' expected
// values follow from the ISA's definition of sured.
#include "Check.cuh"

#include <cstdio>
#include <cstring>
#include <cuda_runtime.h>

// OpenCL 1.0's cl_channel_type and cl_channel_order values, as the PTX ISA lists them.
constexpr unsigned kUnormInt8 = 0x10D2, kSignedInt16 = 0x10D8, kSignedInt32 = 0x10D9,
                   kUnsignedInt32 = 0x10DC, kHalfFloat = 0x10DD, kFloat = 0x10DE;
constexpr unsigned kOrderR = 0x10B0, kOrderRG = 0x10B2, kOrderRGBA = 0x10B5;

// --- Kernels ------------------------------------------------------------------------------------
constexpr int kTextureQueries = 13, kSurfaceQueries = 7;

__global__ void textureQueries(cudaTextureObject_t t, unsigned* out) {
  unsigned v[kTextureQueries];
  asm("txq.width.b32 %0, [%13];\n\t"
      "txq.height.b32 %1, [%13];\n\t"
      "txq.depth.b32 %2, [%13];\n\t"
      "txq.channel_data_type.b32 %3, [%13];\n\t"
      "txq.channel_order.b32 %4, [%13];\n\t"
      "txq.normalized_coords.b32 %5, [%13];\n\t"
      "txq.filter_mode.b32 %6, [%13];\n\t"
      "txq.addr_mode_0.b32 %7, [%13];\n\t"
      "txq.addr_mode_1.b32 %8, [%13];\n\t"
      "txq.addr_mode_2.b32 %9, [%13];\n\t"
      "txq.array_size.b32 %10, [%13];\n\t"
      "txq.num_mipmap_levels.b32 %11, [%13];\n\t"
      "txq.num_samples.b32 %12, [%13];"
      : "=r"(v[0]), "=r"(v[1]), "=r"(v[2]), "=r"(v[3]), "=r"(v[4]), "=r"(v[5]), "=r"(v[6]),
        "=r"(v[7]), "=r"(v[8]), "=r"(v[9]), "=r"(v[10]), "=r"(v[11]), "=r"(v[12])
      : "l"(t));
  for (int i = 0; i < kTextureQueries; ++i)
    out[i] = v[i];
}

__global__ void surfaceQueries(cudaSurfaceObject_t s, unsigned* out) {
  unsigned v[kSurfaceQueries];
  asm("suq.width.b32 %0, [%7];\n\t"
      "suq.height.b32 %1, [%7];\n\t"
      "suq.depth.b32 %2, [%7];\n\t"
      "suq.channel_data_type.b32 %3, [%7];\n\t"
      "suq.channel_order.b32 %4, [%7];\n\t"
      "suq.array_size.b32 %5, [%7];\n\t"
      "suq.memory_layout.b32 %6, [%7];"
      : "=r"(v[0]), "=r"(v[1]), "=r"(v[2]), "=r"(v[3]), "=r"(v[4]), "=r"(v[5]), "=r"(v[6])
      : "l"(s));
  for (int i = 0; i < kSurfaceQueries; ++i)
    out[i] = v[i];
}

// Every thread of one block reduces into elements of a 2D surface of ints (x in bytes for .b,
// in elements for .p): see reductions() for what each element must end as.
__global__ void reduce2D(cudaSurfaceObject_t s) {
  int t = threadIdx.x;
  asm volatile("sured.b.max.2d.u32.trap [%0, {%1, %2}], %3;" ::"l"(s), "r"(0), "r"(0),
               "r"(t == 0 ? -1 : t));
  asm volatile("sured.b.max.2d.s32.trap [%0, {%1, %2}], %3;" ::"l"(s), "r"(4), "r"(0),
               "r"(t - 100));
  asm volatile("sured.b.add.2d.s32.trap [%0, {%1, %2}], %3;" ::"l"(s), "r"(4), "r"(2), "r"(t + 1));
  asm volatile("sured.b.min.2d.s32.trap [%0, {%1, %2}], %3;" ::"l"(s), "r"(8), "r"(2), "r"(-t));
  asm volatile("sured.b.min.2d.u32.trap [%0, {%1, %2}], %3;" ::"l"(s), "r"(12), "r"(3),
               "r"(t + 400));
  asm volatile("sured.b.or.2d.b32.trap [%0, {%1, %2}], %3;" ::"l"(s), "r"(16), "r"(3),
               "r"((t % 4) << 16));
  asm volatile("sured.b.and.2d.b32.trap [%0, {%1, %2}], %3;" ::"l"(s), "r"(16), "r"(0),
               "r"(~(1 << (t % 3))));
  // Outside the surface: .zero drops the reduction, .clamp moves it to the last element.
  asm volatile("sured.b.add.2d.u32.zero [%0, {%1, %2}], %3;" ::"l"(s), "r"(400), "r"(1), "r"(1));
  if (t == 0)
    asm volatile("sured.b.add.2d.u32.clamp [%0, {%1, %2}], %3;" ::"l"(s), "r"(400), "r"(1), "r"(1));
  // .p: x counts elements, and the surface's signed format makes min signed.
  if (t == 0) {
    asm volatile("sured.p.add.2d.b32.trap [%0, {%1, %2}], %3;" ::"l"(s), "r"(2), "r"(1), "r"(1000));
    asm volatile("sured.p.min.2d.b32.trap [%0, {%1, %2}], %3;" ::"l"(s), "r"(3), "r"(2), "r"(-5));
  }
}

// 64-bit reductions into a 1D surface of uint2 (8-byte elements).
__global__ void reduce64(cudaSurfaceObject_t s) {
  long long t = threadIdx.x;
  asm volatile("sured.b.add.1d.u64.trap [%0, {%1}], %2;" ::"l"(s), "r"(0), "l"(t << 32));
  asm volatile("sured.b.min.1d.s64.trap [%0, {%1}], %2;" ::"l"(s), "r"(8), "l"(-t));
}

__global__ void reduceOutside(cudaSurfaceObject_t s) {
  asm volatile("sured.b.add.2d.u32.trap [%0, {%1, %2}], %3;" ::"l"(s), "r"(4000), "r"(0), "r"(1));
}

// --- Sections -----------------------------------------------------------------------------------
constexpr int W = 5, H = 4, kThreads = 64;

static cudaTextureObject_t textureOf(cudaArray_t array, cudaTextureDesc desc) {
  cudaResourceDesc resource = {};
  resource.resType = cudaResourceTypeArray;
  resource.res.array.array = array;
  cudaTextureObject_t t = 0;
  OK(cudaCreateTextureObject(&t, &resource, &desc, nullptr));
  return t;
}

static cudaSurfaceObject_t surfaceOf(cudaArray_t array) {
  cudaResourceDesc resource = {};
  resource.resType = cudaResourceTypeArray;
  resource.res.array.array = array;
  cudaSurfaceObject_t s = 0;
  OK(cudaCreateSurfaceObject(&s, &resource));
  return s;
}

static int compare(const char* what, const unsigned* got, const unsigned* want, int n) {
  for (int i = 0; i < n; ++i)
    if (got[i] != want[i]) {
      std::printf("FAIL %s: query %d is 0x%x, expected 0x%x\n", what, i, got[i], want[i]);
      return 1;
    }
  return 0;
}

static int checkTexture(const char* what, cudaTextureObject_t t,
                        const unsigned (&want)[kTextureQueries], unsigned* out) {
  textureQueries<<<1, 1>>>(t, out);
  OK(cudaDeviceSynchronize());
  OK(cudaDestroyTextureObject(t));
  return compare(what, out, want, kTextureQueries);
}

// txq on 2D, 1D-layered, 3D and linear textures: width, height, depth, channel data type and
// order, normalized coordinates, filter mode, address modes 0-2, array size, mipmap levels and
// samples.
static int textures() {
  unsigned* out = nullptr;
  OK(cudaMallocManaged(&out, kTextureQueries * sizeof(unsigned)));

  cudaChannelFormatDesc floats = cudaCreateChannelDesc<float>();
  cudaArray_t plane = nullptr;
  OK(cudaMallocArray(&plane, &floats, W, H));
  cudaTextureDesc desc = {};
  desc.addressMode[0] = cudaAddressModeWrap;
  desc.addressMode[1] = cudaAddressModeMirror;
  desc.addressMode[2] = cudaAddressModeBorder;
  desc.filterMode = cudaFilterModeLinear;
  desc.normalizedCoords = 1;
  if (checkTexture("2D", textureOf(plane, desc),
                   {W, H, 1, kFloat, kOrderR, 1, cudaFilterModeLinear, cudaAddressModeWrap,
                    cudaAddressModeMirror, cudaAddressModeBorder, 0, 0, 0},
                   out))
    return 1;

  cudaChannelFormatDesc bytes = cudaCreateChannelDesc<uchar4>();
  cudaArray_t layers = nullptr;
  OK(cudaMalloc3DArray(&layers, &bytes, make_cudaExtent(7, 0, 3), cudaArrayLayered));
  desc = {};
  desc.addressMode[0] = desc.addressMode[1] = desc.addressMode[2] = cudaAddressModeClamp;
  desc.readMode = cudaReadModeNormalizedFloat;
  if (checkTexture("1D layered", textureOf(layers, desc),
                   {7, 1, 1, kUnormInt8, kOrderRGBA, 0, cudaFilterModePoint, cudaAddressModeClamp,
                    cudaAddressModeClamp, cudaAddressModeClamp, 3, 0, 0},
                   out))
    return 1;

  cudaChannelFormatDesc halves = cudaCreateChannelDesc(16, 0, 0, 0, cudaChannelFormatKindFloat);
  cudaArray_t volume = nullptr;
  OK(cudaMalloc3DArray(&volume, &halves, make_cudaExtent(3, 2, 6)));
  desc = {};
  if (checkTexture("3D", textureOf(volume, desc),
                   {3, 2, 6, kHalfFloat, kOrderR, 0, cudaFilterModePoint, cudaAddressModeWrap,
                    cudaAddressModeWrap, cudaAddressModeWrap, 0, 0, 0},
                   out))
    return 1;

  short2* buffer = nullptr;
  OK(cudaMalloc(&buffer, 10 * sizeof(short2)));
  cudaResourceDesc linear = {};
  linear.resType = cudaResourceTypeLinear;
  linear.res.linear.devPtr = buffer;
  linear.res.linear.desc = cudaCreateChannelDesc<short2>();
  linear.res.linear.sizeInBytes = 10 * sizeof(short2);
  desc = {};
  cudaTextureObject_t t = 0;
  OK(cudaCreateTextureObject(&t, &linear, &desc, nullptr));
  if (checkTexture("linear", t,
                   {10, 1, 1, kSignedInt16, kOrderRG, 0, cudaFilterModePoint, cudaAddressModeWrap,
                    cudaAddressModeWrap, cudaAddressModeWrap, 0, 0, 0},
                   out))
    return 1;

  OK(cudaFree(buffer));
  OK(cudaFreeArray(volume));
  OK(cudaFreeArray(layers));
  OK(cudaFreeArray(plane));
  OK(cudaFree(out));
  std::printf("texture queries ok\n");
  return 0;
}

// suq on a 2D surface of ints and a 2D-layered surface of uint2: width, height, depth, channel
// data type and order, array size and memory layout.
static int surfaces() {
  unsigned* out = nullptr;
  OK(cudaMallocManaged(&out, kSurfaceQueries * sizeof(unsigned)));
  cudaChannelFormatDesc ints = cudaCreateChannelDesc<int>();
  cudaArray_t plane = nullptr;
  OK(cudaMallocArray(&plane, &ints, W, H, cudaArraySurfaceLoadStore));
  cudaSurfaceObject_t s = surfaceOf(plane);
  surfaceQueries<<<1, 1>>>(s, out);
  OK(cudaDeviceSynchronize());
  const unsigned planeWant[kSurfaceQueries] = {W, H, 1, kSignedInt32, kOrderR, 0, 0};
  if (compare("2D surface", out, planeWant, kSurfaceQueries))
    return 1;
  OK(cudaDestroySurfaceObject(s));

  cudaChannelFormatDesc pairs = cudaCreateChannelDesc<uint2>();
  cudaArray_t layers = nullptr;
  OK(cudaMalloc3DArray(&layers, &pairs, make_cudaExtent(6, 2, 3),
                       cudaArrayLayered | cudaArraySurfaceLoadStore));
  s = surfaceOf(layers);
  surfaceQueries<<<1, 1>>>(s, out);
  OK(cudaDeviceSynchronize());
  const unsigned layersWant[kSurfaceQueries] = {6, 2, 1, kUnsignedInt32, kOrderRG, 3, 0};
  if (compare("2D layered surface", out, layersWant, kSurfaceQueries))
    return 1;
  OK(cudaDestroySurfaceObject(s));
  OK(cudaFreeArray(layers));
  OK(cudaFreeArray(plane));
  OK(cudaFree(out));
  std::printf("surface queries ok\n");
  return 0;
}

// sured's operations, signedness, bounds modes and addressing; then a .trap reduction outside
// the surface, which fails its launch.
static int reductions() {
  cudaChannelFormatDesc ints = cudaCreateChannelDesc<int>();
  cudaArray_t plane = nullptr;
  OK(cudaMallocArray(&plane, &ints, W, H, cudaArraySurfaceLoadStore));
  int host[H][W];
  for (int y = 0; y < H; ++y)
    for (int x = 0; x < W; ++x)
      host[y][x] = 100 * y + x;
  OK(cudaMemcpy2DToArray(plane, 0, 0, host, sizeof host[0], sizeof host[0], H,
                         cudaMemcpyHostToDevice));
  cudaSurfaceObject_t s = surfaceOf(plane);
  reduce2D<<<1, kThreads>>>(s);
  OK(cudaDeviceSynchronize());
  int want[H][W];
  std::memcpy(want, host, sizeof host);
  want[0][0] = -1;                             // u32 max: 0xffffffff beats every t
  want[0][1] = 1;                              // s32 max: 1 beats every t - 100 < 0
  want[2][1] += kThreads * (kThreads + 1) / 2; // s32 add of 1..64
  want[2][2] = -(kThreads - 1);                // s32 min of -t
  want[3][3] = 303;                            // u32 min: 303 is below every t + 400
  want[3][4] |= 3 << 16;                       // or of (t % 4) << 16
  want[0][4] = 0;                              // and with ~1, ~2 and ~4 clears 4
  want[1][W - 1] += 1;                         // the clamped add; the zeroed ones drop
  want[1][2] += 1000;                          // .p add at element 2
  want[2][3] = -5;                             // .p min, signed by the format
  int after[H][W];
  OK(cudaMemcpy2DFromArray(after, sizeof after[0], plane, 0, 0, sizeof after[0], H,
                           cudaMemcpyDeviceToHost));
  for (int y = 0; y < H; ++y)
    for (int x = 0; x < W; ++x)
      if (after[y][x] != want[y][x]) {
        std::printf("FAIL (%d, %d): %d, expected %d\n", x, y, after[y][x], want[y][x]);
        return 1;
      }

  cudaChannelFormatDesc pairs = cudaCreateChannelDesc<uint2>();
  cudaArray_t row = nullptr;
  OK(cudaMallocArray(&row, &pairs, 2, 0, cudaArraySurfaceLoadStore));
  const long long start[2] = {5, 7};
  OK(cudaMemcpy2DToArray(row, 0, 0, start, sizeof start, sizeof start, 1, cudaMemcpyHostToDevice));
  cudaSurfaceObject_t wide = surfaceOf(row);
  reduce64<<<1, kThreads>>>(wide);
  OK(cudaDeviceSynchronize());
  long long wideAfter[2];
  OK(cudaMemcpy2DFromArray(wideAfter, sizeof wideAfter, row, 0, 0, sizeof wideAfter, 1,
                           cudaMemcpyDeviceToHost));
  REQUIRE(wideAfter[0] == 5 + (static_cast<long long>(kThreads * (kThreads - 1) / 2) << 32));
  REQUIRE(wideAfter[1] == -(kThreads - 1));
  OK(cudaDestroySurfaceObject(wide));
  OK(cudaFreeArray(row));
  std::printf("reductions ok\n");

  reduceOutside<<<1, 1>>>(s);
  cudaError_t status = cudaDeviceSynchronize();
  std::printf("trap: %s\n", cudaGetErrorName(status));
  return 0;
}

int main(int argc, char** argv) {
  const char* section = argc > 1 ? argv[1] : "";
  if (!std::strcmp(section, "textures"))
    return textures();
  if (!std::strcmp(section, "surfaces"))
    return surfaces();
  if (!std::strcmp(section, "reductions"))
    return reductions();
  std::printf("usage: image_queries textures|surfaces|reductions\n");
  return 2;
}
