// Mipmapped and cubemap textures, formatted surface stores, resource views and the array
// queries, as an nvcc-built program uses them. Run as `texture_levels SECTION`. Expected texels
// come from CUDA's documentation, not from Drawbridge's sampler: the level of detail is log2 of
// the longer gradient scaled to texels (CUDA Programming Guide, "Texture Fetching"), plus
// mipmapLevelBias, clamped to [minMipmapLevelClamp, maxMipmapLevelClamp] (cudaTextureDesc);
// cube faces follow the Programming Guide's cubemap table; sust.p writes the surface's format
// from f32 or u32 words (PTX ISA, "sust"); resource views follow cudaCreateTextureObject's
// documentation. Coordinates and levels sit far from any rounding boundary.
#include "Check.cuh"

#include <cmath>
#include <cstdio>
#include <cstring>
#include <cuda_fp16.h>
#include <cuda_runtime.h>
#include <initializer_list>
#include <vector>

constexpr int kSide = 8, kLevels = 4; // an 8 x 8 mipmapped texture: 8, 4, 2, 1

// Level k's texel (x, y): the level in the hundreds, so a wrong level cannot go unnoticed.
static float levelTexel(int level, int x, int y) {
  return static_cast<float>(100 * level + 10 * y + x);
}

// The texel normalized (u, v) reads from level k with point filtering.
static float pointAt(int level, float u, float v) {
  int side = kSide >> level;
  return levelTexel(level, static_cast<int>(std::floor(u * side)),
                    static_cast<int>(std::floor(v * side)));
}

static cudaMipmappedArray_t makeMipmapped() {
  cudaChannelFormatDesc format = cudaCreateChannelDesc<float>();
  cudaMipmappedArray_t mipmapped = nullptr;
  OK(cudaMallocMipmappedArray(&mipmapped, &format, make_cudaExtent(kSide, kSide, 0), kLevels, 0));
  for (int level = 0; level < kLevels; ++level) {
    int side = kSide >> level;
    std::vector<float> host(side * side);
    for (int y = 0; y < side; ++y)
      for (int x = 0; x < side; ++x)
        host[y * side + x] = levelTexel(level, x, y);
    cudaArray_t array = nullptr;
    OK(cudaGetMipmappedArrayLevel(&array, mipmapped, level));
    OK(cudaMemcpy2DToArray(array, 0, 0, host.data(), side * sizeof(float), side * sizeof(float),
                           side, cudaMemcpyHostToDevice));
  }
  return mipmapped;
}

static cudaTextureDesc mipmapSampling(cudaTextureFilterMode between, float bias, float minClamp,
                                      float maxClamp) {
  cudaTextureDesc t = {};
  t.addressMode[0] = t.addressMode[1] = cudaAddressModeClamp;
  t.filterMode = cudaFilterModePoint;
  t.readMode = cudaReadModeElementType;
  t.normalizedCoords = 1;
  t.mipmapFilterMode = between;
  t.mipmapLevelBias = bias;
  t.minMipmapLevelClamp = minClamp;
  t.maxMipmapLevelClamp = maxClamp;
  return t;
}

static cudaTextureObject_t mipmapTexture(cudaMipmappedArray_t mipmapped,
                                         const cudaTextureDesc& sampling,
                                         const cudaResourceViewDesc* view = nullptr) {
  cudaResourceDesc r = {};
  r.resType = cudaResourceTypeMipmappedArray;
  r.res.mipmap.mipmap = mipmapped;
  cudaTextureObject_t t = 0;
  OK(cudaCreateTextureObject(&t, &r, &sampling, view));
  return t;
}

// --- Kernels ------------------------------------------------------------------------------------
constexpr float kU = 0.3f, kV = 0.6f;

__global__ void lodFetches(cudaTextureObject_t t, const float* lods, float* out, int n) {
  int i = threadIdx.x;
  if (i < n)
    out[i] = tex2DLod<float>(t, kU, kV, lods[i]);
}

// tex2DLod at (kU, kV) for each level given, into out[0...]; lods is managed scratch.
static void fetchAtLevels(cudaTextureObject_t t, std::initializer_list<float> levels, float* lods,
                          float* out) {
  int n = 0;
  for (float level : levels)
    lods[n++] = level;
  lodFetches<<<1, n>>>(t, lods, out, n);
  OK(cudaDeviceSynchronize());
}

__global__ void gradFetch(cudaTextureObject_t t, float2 dx, float2 dy, float* out) {
  *out = tex2DGrad<float>(t, kU, kV, dx, dy);
}

__global__ void plainFetch(cudaTextureObject_t t, float* out) {
  *out = tex2D<float>(t, kU, kV);
}

__global__ void levelQueries(cudaTextureObject_t t, unsigned* out) {
  unsigned levels, width, height;
  asm("txq.num_mipmap_levels.b32 %0, [%3];\n\t"
      "txq.level.width.b32 %1, [%3], %4;\n\t"
      "txq.level.height.b32 %2, [%3], %4;"
      : "=r"(levels), "=r"(width), "=r"(height)
      : "l"(t), "r"(2));
  out[0] = levels;
  out[1] = width;
  out[2] = height;
}

// Mipmapped textures: explicit levels, gradients, the filter between levels, bias and clamps,
// fetches without a level, and the level queries.
static int mipmapped() {
  cudaMipmappedArray_t mipmapped = makeMipmapped();
  float *lods = nullptr, *out = nullptr;
  OK(cudaMallocManaged(&lods, 16 * sizeof(float)));
  OK(cudaMallocManaged(&out, 16 * sizeof(float)));

  // Point between levels: the nearest level, clamped to maxMipmapLevelClamp and the last level.
  cudaTextureObject_t t = mipmapTexture(mipmapped, mipmapSampling(cudaFilterModePoint, 0, 0, 10));
  const float explicitLods[] = {0, 1, 2, 3, 1.25f, 1.75f, 7, -2};
  const int expectedLevels[] = {0, 1, 2, 3, 1, 2, 3, 0};
  constexpr int n = sizeof(explicitLods) / sizeof(float);
  std::memcpy(lods, explicitLods, sizeof explicitLods);
  lodFetches<<<1, n>>>(t, lods, out, n);
  OK(cudaDeviceSynchronize());
  for (int i = 0; i < n; ++i)
    REQUIRE(out[i] == pointAt(expectedLevels[i], kU, kV));

  // Gradients: scaled to texels (3, 4) and (0, 2); the longer is 5, log2(5) = 2.32, level 2.
  gradFetch<<<1, 1>>>(t, make_float2(3.0f / kSide, 4.0f / kSide), make_float2(0, 2.0f / kSide),
                      out);
  OK(cudaDeviceSynchronize());
  REQUIRE(out[0] == pointAt(2, kU, kV));
  // (1, 0) and (0, 1): level 0.
  gradFetch<<<1, 1>>>(t, make_float2(1.0f / kSide, 0), make_float2(0, 1.0f / kSide), out);
  OK(cudaDeviceSynchronize());
  REQUIRE(out[0] == pointAt(0, kU, kV));

  // A fetch without a level reads level 0.
  plainFetch<<<1, 1>>>(t, out);
  OK(cudaDeviceSynchronize());
  REQUIRE(out[0] == pointAt(0, kU, kV));

  unsigned* answers = nullptr;
  OK(cudaMallocManaged(&answers, 3 * sizeof(unsigned)));
  levelQueries<<<1, 1>>>(t, answers);
  OK(cudaDeviceSynchronize());
  REQUIRE(answers[0] == kLevels && answers[1] == 2 && answers[2] == 2);
  OK(cudaDestroyTextureObject(t));

  // Linear between levels: level 1.5 is the mean of levels 1 and 2.
  t = mipmapTexture(mipmapped, mipmapSampling(cudaFilterModeLinear, 0, 0, 10));
  fetchAtLevels(t, {1.5f, 2.0f}, lods, out);
  REQUIRE(out[0] == 0.5f * (pointAt(1, kU, kV) + pointAt(2, kU, kV)));
  REQUIRE(out[1] == pointAt(2, kU, kV));
  OK(cudaDestroyTextureObject(t));

  // The bias moves every level; the clamps bound the result.
  t = mipmapTexture(mipmapped, mipmapSampling(cudaFilterModePoint, 1, 0, 2));
  fetchAtLevels(t, {0, 2}, lods, out);
  REQUIRE(out[0] == pointAt(1, kU, kV));
  REQUIRE(out[1] == pointAt(2, kU, kV)); // 3, clamped to 2
  OK(cudaDestroyTextureObject(t));
  t = mipmapTexture(mipmapped, mipmapSampling(cudaFilterModePoint, 0, 2, 10));
  fetchAtLevels(t, {0}, lods, out);
  REQUIRE(out[0] == pointAt(2, kU, kV));
  OK(cudaDestroyTextureObject(t));

  // A zero cudaTextureDesc's maxMipmapLevelClamp (0) keeps every fetch on level 0.
  t = mipmapTexture(mipmapped, mipmapSampling(cudaFilterModePoint, 0, 0, 0));
  fetchAtLevels(t, {3}, lods, out);
  REQUIRE(out[0] == pointAt(0, kU, kV));
  cudaTextureDesc back = {};
  OK(cudaGetTextureObjectTextureDesc(&back, t));
  REQUIRE(back.mipmapFilterMode == cudaFilterModePoint && back.maxMipmapLevelClamp == 0);
  OK(cudaDestroyTextureObject(t));

  OK(cudaFree(answers));
  OK(cudaFree(lods));
  OK(cudaFree(out));
  OK(cudaFreeMipmappedArray(mipmapped));
  std::printf("mipmapped ok\n");
  return 0;
}

// --- Cubes --------------------------------------------------------------------------------------
constexpr int kFace = 4;

static float faceTexel(int cube, int face, int x, int y) {
  return static_cast<float>(10000 * cube + 1000 * face + 10 * y + x);
}

// The Programming Guide's cubemap table: the face the major axis picks, and (s, t) in [0, 1],
// on faces `side` texels wide.
static float cubeReference(int cube, float x, float y, float z, int side = kFace) {
  float ax = std::fabs(x), ay = std::fabs(y), az = std::fabs(z), major, sc, tc;
  int face;
  if (ax >= ay && ax >= az) {
    major = ax, face = x >= 0 ? 0 : 1, sc = x >= 0 ? -z : z, tc = -y;
  } else if (ay >= az) {
    major = ay, face = y >= 0 ? 2 : 3, sc = x, tc = y >= 0 ? z : -z;
  } else {
    major = az, face = z >= 0 ? 4 : 5, sc = z >= 0 ? x : -x, tc = -y;
  }
  float s = (sc / major + 1) / 2, t = (tc / major + 1) / 2;
  return faceTexel(cube, face, static_cast<int>(std::floor(s * side)),
                   static_cast<int>(std::floor(t * side)));
}

__global__ void cubeFetches(cudaTextureObject_t t, const float4* directions, float* out, int n) {
  int i = threadIdx.x;
  if (i < n)
    out[i] = texCubemap<float>(t, directions[i].x, directions[i].y, directions[i].z);
}

__global__ void layeredCubeFetches(cudaTextureObject_t t, const float4* directions, float* out,
                                   int n, int cube) {
  int i = threadIdx.x;
  if (i < n)
    out[i] = texCubemapLayered<float>(t, directions[i].x, directions[i].y, directions[i].z, cube);
}

__global__ void cubeLodFetches(cudaTextureObject_t t, const float4* directions, float level,
                               float* out, int n) {
  int i = threadIdx.x;
  if (i < n)
    out[i] = texCubemapLod<float>(t, directions[i].x, directions[i].y, directions[i].z, level);
}

__global__ void cubeSurface(cudaSurfaceObject_t s, float* out) {
  int x = threadIdx.x, y = threadIdx.y, face = threadIdx.z;
  float v = surfCubemapread<float>(s, x * 4, y, face);
  surfCubemapwrite(v + 0.5f, s, x * 4, y, face);
  if (x == 1 && y == 2)
    out[face] = v;
}

static cudaArray_t makeCubes(int cubes, unsigned flags) {
  cudaChannelFormatDesc format = cudaCreateChannelDesc<float>();
  cudaArray_t array = nullptr;
  OK(cudaMalloc3DArray(&array, &format, make_cudaExtent(kFace, kFace, 6 * cubes), flags));
  std::vector<float> host(6 * cubes * kFace * kFace);
  for (int layer = 0; layer < 6 * cubes; ++layer)
    for (int y = 0; y < kFace; ++y)
      for (int x = 0; x < kFace; ++x)
        host[(layer * kFace + y) * kFace + x] = faceTexel(layer / 6, layer % 6, x, y);
  cudaMemcpy3DParms p = {};
  p.srcPtr = make_cudaPitchedPtr(host.data(), kFace * sizeof(float), kFace, kFace);
  p.dstArray = array;
  p.extent = make_cudaExtent(kFace, kFace, 6 * cubes);
  p.kind = cudaMemcpyHostToDevice;
  OK(cudaMemcpy3D(&p));
  return array;
}

// A mipmapped cubemap of faces kFace, kFace / 2 and kFace / 4 wide; level k adds 100000 * k.
static cudaMipmappedArray_t makeMipmappedCube() {
  cudaChannelFormatDesc format = cudaCreateChannelDesc<float>();
  cudaMipmappedArray_t mipmapped = nullptr;
  OK(cudaMallocMipmappedArray(&mipmapped, &format, make_cudaExtent(kFace, kFace, 6), 3,
                              cudaArrayCubemap));
  for (int level = 0; level < 3; ++level) {
    int side = kFace >> level;
    std::vector<float> host(6 * side * side);
    for (int face = 0; face < 6; ++face)
      for (int y = 0; y < side; ++y)
        for (int x = 0; x < side; ++x)
          host[(face * side + y) * side + x] = 100000.0f * level + faceTexel(0, face, x, y);
    cudaArray_t array = nullptr;
    OK(cudaGetMipmappedArrayLevel(&array, mipmapped, level));
    cudaMemcpy3DParms p = {};
    p.srcPtr = make_cudaPitchedPtr(host.data(), side * sizeof(float), side, side);
    p.dstArray = array;
    p.extent = make_cudaExtent(side, side, 6);
    p.kind = cudaMemcpyHostToDevice;
    OK(cudaMemcpy3D(&p));
  }
  return mipmapped;
}

static cudaTextureObject_t cubeTexture(cudaArray_t array) {
  cudaResourceDesc r = {};
  r.resType = cudaResourceTypeArray;
  r.res.array.array = array;
  cudaTextureDesc t = {};
  t.addressMode[0] = t.addressMode[1] = t.addressMode[2] = cudaAddressModeClamp;
  t.filterMode = cudaFilterModePoint;
  t.normalizedCoords = 1;
  cudaTextureObject_t object = 0;
  OK(cudaCreateTextureObject(&object, &r, &t, nullptr));
  return object;
}

// Cubemap and layered cubemap arrays: each face reached by its major axis, the layered form's
// cubes, surfaces on the faces, the allocation rules and the device's cubemap extents.
static int cubes() {
  const float4 directions[] = {{1, 0.2f, -0.4f, 0}, {-1, 0.3f, 0.1f, 0},     {0.25f, 1, -0.6f, 0},
                               {0.3f, -1, 0.7f, 0}, {-0.45f, 0.1f, 1, 0},    {0.6f, -0.2f, -1, 0},
                               {2, -1.1f, 0.9f, 0}, {-0.1f, -0.2f, -0.3f, 0}};
  constexpr int n = sizeof(directions) / sizeof(float4);
  float4* at = nullptr;
  float* out = nullptr;
  OK(cudaMallocManaged(&at, sizeof directions));
  OK(cudaMallocManaged(&out, 16 * sizeof(float)));
  std::memcpy(at, directions, sizeof directions);

  cudaArray_t cube = makeCubes(1, cudaArrayCubemap | cudaArraySurfaceLoadStore);
  cudaTextureObject_t t = cubeTexture(cube);
  cubeFetches<<<1, n>>>(t, at, out, n);
  OK(cudaDeviceSynchronize());
  for (int i = 0; i < n; ++i)
    REQUIRE(out[i] == cubeReference(0, directions[i].x, directions[i].y, directions[i].z));
  OK(cudaDestroyTextureObject(t));

  cudaChannelFormatDesc format{};
  cudaExtent extent{};
  unsigned flags = 0;
  OK(cudaArrayGetInfo(&format, &extent, &flags, cube));
  REQUIRE(extent.width == kFace && extent.height == kFace && extent.depth == 6);
  REQUIRE(flags & cudaArrayCubemap);

  // A surface reaches the faces as layers (surfCubemapread/write).
  cudaResourceDesc r = {};
  r.resType = cudaResourceTypeArray;
  r.res.array.array = cube;
  cudaSurfaceObject_t s = 0;
  OK(cudaCreateSurfaceObject(&s, &r));
  cubeSurface<<<1, dim3(kFace, kFace, 6)>>>(s, out);
  OK(cudaDeviceSynchronize());
  std::vector<float> faces(6 * kFace * kFace);
  cudaMemcpy3DParms p = {};
  p.srcArray = cube;
  p.dstPtr = make_cudaPitchedPtr(faces.data(), kFace * sizeof(float), kFace, kFace);
  p.extent = make_cudaExtent(kFace, kFace, 6);
  p.kind = cudaMemcpyDeviceToHost;
  OK(cudaMemcpy3D(&p));
  for (int face = 0; face < 6; ++face) {
    REQUIRE(out[face] == faceTexel(0, face, 1, 2));
    REQUIRE(faces[(face * kFace + 3) * kFace + 2] == faceTexel(0, face, 2, 3) + 0.5f);
  }
  OK(cudaDestroySurfaceObject(s));
  OK(cudaFreeArray(cube));

  // Two cubes: the cube index picks six faces.
  cube = makeCubes(2, cudaArrayCubemap | cudaArrayLayered);
  t = cubeTexture(cube);
  for (int c = 0; c < 2; ++c) {
    layeredCubeFetches<<<1, n>>>(t, at, out, n, c);
    OK(cudaDeviceSynchronize());
    for (int i = 0; i < n; ++i)
      REQUIRE(out[i] == cubeReference(c, directions[i].x, directions[i].y, directions[i].z));
  }
  OK(cudaDestroyTextureObject(t));
  OK(cudaFreeArray(cube));

  // A mipmapped cubemap: texCubemapLod picks the level, then the face.
  cudaMipmappedArray_t mipmappedCube = makeMipmappedCube();
  t = mipmapTexture(mipmappedCube, mipmapSampling(cudaFilterModePoint, 0, 0, 10));
  cubeLodFetches<<<1, n>>>(t, at, 1.0f, out, n);
  OK(cudaDeviceSynchronize());
  for (int i = 0; i < n; ++i)
    REQUIRE(out[i] == 100000.0f + cubeReference(0, directions[i].x, directions[i].y,
                                                directions[i].z, kFace / 2));
  OK(cudaDestroyTextureObject(t));
  OK(cudaFreeMipmappedArray(mipmappedCube));

  // Faces are square, six of them (or six per cube when layered).
  cudaArray_t bad = nullptr;
  format = cudaCreateChannelDesc<float>();
  EXPECT(cudaMalloc3DArray(&bad, &format, make_cudaExtent(4, 5, 6), cudaArrayCubemap),
         cudaErrorInvalidValue);
  EXPECT(cudaMalloc3DArray(&bad, &format, make_cudaExtent(4, 4, 5), cudaArrayCubemap),
         cudaErrorInvalidValue);
  EXPECT(cudaMalloc3DArray(&bad, &format, make_cudaExtent(4, 4, 9),
                           cudaArrayCubemap | cudaArrayLayered),
         cudaErrorInvalidValue);
  cudaGetLastError();

  // The device's cubemap extents, as the properties and the attributes give them.
  cudaDeviceProp prop{};
  OK(cudaGetDeviceProperties(&prop, 0));
  int width = 0, layers = 0, surface = 0;
  OK(cudaDeviceGetAttribute(&width, cudaDevAttrMaxTextureCubemapWidth, 0));
  OK(cudaDeviceGetAttribute(&layers, cudaDevAttrMaxTextureCubemapLayeredLayers, 0));
  OK(cudaDeviceGetAttribute(&surface, cudaDevAttrMaxSurfaceCubemapWidth, 0));
  REQUIRE(width > 0 && width == prop.maxTextureCubemap && surface == prop.maxSurfaceCubemap);
  REQUIRE(layers > 0 && layers == prop.maxTextureCubemapLayered[1]);
  REQUIRE(prop.maxTextureCubemapLayered[0] > 0 && prop.maxSurfaceCubemapLayered[1] > 0);
  EXPECT(
      cudaMalloc3DArray(&bad, &format, make_cudaExtent(width + 1, width + 1, 6), cudaArrayCubemap),
      cudaErrorInvalidValue);
  cudaGetLastError();

  OK(cudaFree(at));
  OK(cudaFree(out));
  std::printf("cubes ok\n");
  return 0;
}

// --- Formatted stores ---------------------------------------------------------------------------
// sust.p: x counts elements; the words are f32 for a float format, u32 for an unsigned one.
__global__ void formattedStores(cudaSurfaceObject_t bytes4, cudaSurfaceObject_t halves2,
                                cudaSurfaceObject_t floats1) {
  int x = threadIdx.x, y = threadIdx.y;
  asm volatile("sust.p.2d.v4.b32.trap [%0, {%1, %2}], {%3, %4, %5, %6};" ::"l"(bytes4), "r"(x),
               "r"(y), "r"(x), "r"(y), "r"(7), "r"(200));
  asm volatile("sust.p.2d.v2.b32.trap [%0, {%1, %2}], {%3, %4};" ::"l"(halves2), "r"(x), "r"(y),
               "f"(1.5f + x), "f"(-0.25f * y));
  // The format has one channel; the second word is ignored.
  asm volatile("sust.p.1d.v2.b32.trap [%0, {%1}], {%2, %3};" ::"l"(floats1), "r"(x + 4 * y),
               "f"(0.125f * (x + 4 * y)), "f"(-1.0f));
}

static cudaSurfaceObject_t surfaceOn(cudaArray_t array) {
  cudaResourceDesc r = {};
  r.resType = cudaResourceTypeArray;
  r.res.array.array = array;
  cudaSurfaceObject_t s = 0;
  OK(cudaCreateSurfaceObject(&s, &r));
  return s;
}

static int formatted() {
  constexpr int W = 4, H = 2;
  cudaChannelFormatDesc uchar4Format = cudaCreateChannelDesc<uchar4>();
  cudaChannelFormatDesc half2Format = cudaCreateChannelDescHalf2();
  cudaChannelFormatDesc floatFormat = cudaCreateChannelDesc<float>();
  cudaArray_t bytes = nullptr, halves = nullptr, floats = nullptr;
  OK(cudaMallocArray(&bytes, &uchar4Format, W, H, cudaArraySurfaceLoadStore));
  OK(cudaMallocArray(&halves, &half2Format, W, H, cudaArraySurfaceLoadStore));
  OK(cudaMallocArray(&floats, &floatFormat, W * H, 0, cudaArraySurfaceLoadStore));
  cudaSurfaceObject_t b = surfaceOn(bytes), h = surfaceOn(halves), f = surfaceOn(floats);
  formattedStores<<<1, dim3(W, H)>>>(b, h, f);
  OK(cudaDeviceSynchronize());

  std::vector<uchar4> byteTexels(W * H);
  std::vector<__half2> halfTexels(W * H);
  std::vector<float> floatTexels(W * H);
  OK(cudaMemcpy2DFromArray(byteTexels.data(), W * 4, bytes, 0, 0, W * 4, H,
                           cudaMemcpyDeviceToHost));
  OK(cudaMemcpy2DFromArray(halfTexels.data(), W * 4, halves, 0, 0, W * 4, H,
                           cudaMemcpyDeviceToHost));
  OK(cudaMemcpyFromArray(floatTexels.data(), floats, 0, 0, W * H * 4, cudaMemcpyDeviceToHost));
  for (int y = 0; y < H; ++y)
    for (int x = 0; x < W; ++x) {
      uchar4 t = byteTexels[y * W + x];
      REQUIRE(t.x == x && t.y == y && t.z == 7 && t.w == 200);
      float2 halvesRead = __half22float2(halfTexels[y * W + x]);
      REQUIRE(halvesRead.x == 1.5f + x && halvesRead.y == -0.25f * y);
      REQUIRE(floatTexels[y * W + x] == 0.125f * (x + 4 * y));
    }
  OK(cudaDestroySurfaceObject(b));
  OK(cudaDestroySurfaceObject(h));
  OK(cudaDestroySurfaceObject(f));
  OK(cudaFreeArray(bytes));
  OK(cudaFreeArray(halves));
  OK(cudaFreeArray(floats));
  std::printf("formatted stores ok\n");
  return 0;
}

// --- Resource views -----------------------------------------------------------------------------
__global__ void fetch2D(cudaTextureObject_t t, float x, float y, float* out) {
  *out = tex2D<float>(t, x, y);
}

__global__ void fetchLayer(cudaTextureObject_t t, float x, float y, int layer, float* out) {
  *out = tex2DLayered<float>(t, x, y, layer);
}

static cudaResourceViewDesc viewOf(cudaResourceViewFormat format, cudaExtent extent) {
  cudaResourceViewDesc v = {};
  v.format = format;
  v.width = extent.width;
  v.height = extent.height;
  v.depth = extent.depth;
  return v;
}

// Resource views: another format of the same size, a range of levels, a range of layers; the
// view handed back; what a view may not do.
static int views() {
  float* out = nullptr;
  OK(cudaMallocManaged(&out, 4 * sizeof(float)));
  cudaTextureDesc point = {};
  point.filterMode = cudaFilterModePoint;
  point.addressMode[0] = point.addressMode[1] = cudaAddressModeClamp;

  // 32-bit unsigned integers holding float bits, read as floats.
  constexpr int W = 3, H = 2;
  cudaChannelFormatDesc uintFormat = cudaCreateChannelDesc<unsigned>();
  cudaArray_t words = nullptr;
  OK(cudaMallocArray(&words, &uintFormat, W, H));
  std::vector<float> values = {0.5f, -2.0f, 3.25f, 1e6f, -0.0f, 42.0f};
  OK(cudaMemcpy2DToArray(words, 0, 0, values.data(), W * 4, W * 4, H, cudaMemcpyHostToDevice));
  cudaResourceDesc r = {};
  r.resType = cudaResourceTypeArray;
  r.res.array.array = words;
  cudaResourceViewDesc v = viewOf(cudaResViewFormatFloat1, make_cudaExtent(W, H, 0));
  cudaTextureObject_t t = 0;
  OK(cudaCreateTextureObject(&t, &r, &point, &v));
  fetch2D<<<1, 1>>>(t, 2.5f, 0.5f, out);
  fetch2D<<<1, 1>>>(t, 2.5f, 1.5f, out + 1);
  OK(cudaDeviceSynchronize());
  REQUIRE(out[0] == 3.25f && out[1] == 42.0f);
  cudaResourceViewDesc back = {};
  OK(cudaGetTextureObjectResourceViewDesc(&back, t));
  REQUIRE(back.format == cudaResViewFormatFloat1 && back.width == W && back.height == H);
  OK(cudaDestroyTextureObject(t));
  OK(cudaCreateTextureObject(&t, &r, &point, nullptr));
  EXPECT(cudaGetTextureObjectResourceViewDesc(&back, t), cudaErrorInvalidValue);
  OK(cudaDestroyTextureObject(t));

  // A view keeps the resource's extent and element size, and an array's only level and layer.
  cudaResourceViewDesc bad = viewOf(cudaResViewFormatHalf1, make_cudaExtent(W, H, 0));
  EXPECT(cudaCreateTextureObject(&t, &r, &point, &bad), cudaErrorInvalidValue);
  bad = viewOf(cudaResViewFormatFloat1, make_cudaExtent(W + 1, H, 0));
  EXPECT(cudaCreateTextureObject(&t, &r, &point, &bad), cudaErrorInvalidValue);
  bad = viewOf(cudaResViewFormatNone, make_cudaExtent(W, H, 0));
  bad.lastMipmapLevel = 1;
  EXPECT(cudaCreateTextureObject(&t, &r, &point, &bad), cudaErrorInvalidValue);
  bad.lastMipmapLevel = 0;
  bad.lastLayer = 1;
  EXPECT(cudaCreateTextureObject(&t, &r, &point, &bad), cudaErrorInvalidValue);
  cudaGetLastError();
  OK(cudaFreeArray(words));

  // Levels 1 and 2 of a mipmapped array: level 1 is the view's level 0, the clamps count from it.
  cudaMipmappedArray_t mipmapped = makeMipmapped();
  v = viewOf(cudaResViewFormatNone, make_cudaExtent(kSide, kSide, 0));
  v.firstMipmapLevel = 1;
  v.lastMipmapLevel = 2;
  t = mipmapTexture(mipmapped, mipmapSampling(cudaFilterModePoint, 0, 0, 10), &v);
  float* lods = nullptr;
  OK(cudaMallocManaged(&lods, 2 * sizeof(float)));
  fetchAtLevels(t, {0, 3}, lods, out);
  REQUIRE(out[0] == pointAt(1, kU, kV) && out[1] == pointAt(2, kU, kV));
  OK(cudaDestroyTextureObject(t));
  OK(cudaFree(lods));
  OK(cudaFreeMipmappedArray(mipmapped));

  // Layers 1 and 2 of three: layer 0 of the view is the array's layer 1.
  cudaChannelFormatDesc floatFormat = cudaCreateChannelDesc<float>();
  cudaArray_t layered = nullptr;
  OK(cudaMalloc3DArray(&layered, &floatFormat, make_cudaExtent(2, 2, 3), cudaArrayLayered));
  std::vector<float> layers(12);
  for (int i = 0; i < 12; ++i)
    layers[i] = static_cast<float>(i);
  cudaMemcpy3DParms p = {};
  p.srcPtr = make_cudaPitchedPtr(layers.data(), 2 * sizeof(float), 2, 2);
  p.dstArray = layered;
  p.extent = make_cudaExtent(2, 2, 3);
  p.kind = cudaMemcpyHostToDevice;
  OK(cudaMemcpy3D(&p));
  r.res.array.array = layered;
  v = viewOf(cudaResViewFormatNone, make_cudaExtent(2, 2, 3));
  v.firstLayer = 1;
  v.lastLayer = 2;
  OK(cudaCreateTextureObject(&t, &r, &point, &v));
  fetchLayer<<<1, 1>>>(t, 1.5f, 0.5f, 0, out);
  fetchLayer<<<1, 1>>>(t, 0.5f, 1.5f, 1, out + 1);
  OK(cudaDeviceSynchronize());
  REQUIRE(out[0] == 5.0f && out[1] == 10.0f);
  OK(cudaDestroyTextureObject(t));
  OK(cudaFreeArray(layered));

  // Views belong to arrays and mipmapped arrays only.
  cudaResourceDesc linear = {};
  linear.resType = cudaResourceTypeLinear;
  linear.res.linear.devPtr = out;
  linear.res.linear.desc = floatFormat;
  linear.res.linear.sizeInBytes = 4 * sizeof(float);
  v = viewOf(cudaResViewFormatFloat1, make_cudaExtent(4, 0, 0));
  EXPECT(cudaCreateTextureObject(&t, &linear, &point, &v), cudaErrorInvalidValue);
  cudaGetLastError();
  OK(cudaFree(out));
  std::printf("views ok\n");
  return 0;
}

// The queries for planar, sparse and deferred-mapping arrays, on arrays that are none of these.
static int arrayQueries() {
  cudaChannelFormatDesc format = cudaCreateChannelDesc<float>();
  cudaArray_t array = nullptr, plane = nullptr;
  OK(cudaMallocArray(&array, &format, 8, 8));
  cudaArraySparseProperties sparse{};
  cudaArrayMemoryRequirements requirements{};
  EXPECT(cudaArrayGetPlane(&plane, array, 0), cudaErrorInvalidValue);
  EXPECT(cudaArrayGetSparseProperties(&sparse, array), cudaErrorInvalidValue);
  EXPECT(cudaArrayGetMemoryRequirements(&requirements, array, 0), cudaErrorInvalidValue);
  cudaMipmappedArray_t mipmapped = makeMipmapped();
  EXPECT(cudaMipmappedArrayGetSparseProperties(&sparse, mipmapped), cudaErrorInvalidValue);
  EXPECT(cudaMipmappedArrayGetMemoryRequirements(&requirements, mipmapped, 0),
         cudaErrorInvalidValue);
  cudaGetLastError();
  OK(cudaFreeMipmappedArray(mipmapped));
  OK(cudaFreeArray(array));
  std::printf("array queries ok\n");
  return 0;
}

__global__ void multisample(cudaTextureObject_t t, float* out) {
  float a, b, c, d;
  asm volatile("tex.2dms.v4.f32.s32 {%0, %1, %2, %3}, [%4, {%5, %6, %7, %7}];"
               : "=f"(a), "=f"(b), "=f"(c), "=f"(d)
               : "l"(t), "r"(0), "r"(1), "r"(1));
  *out = a + b + c + d;
}

// DRAWBRIDGE-ONLY(refused): what the CPU device still refuses, each naming itself (NVIDIA's GPUs
// have these): sparse and deferred-mapping arrays, block-compressed views, seamless cube
// filtering, anisotropic filtering on mipmaps, and multisample fetches (only that kernel fails).
static int refused() {
  cudaChannelFormatDesc format = cudaCreateChannelDesc<float>();
  cudaArray_t array = nullptr;
  EXPECT(cudaMalloc3DArray(&array, &format, make_cudaExtent(64, 64, 0), cudaArraySparse),
         cudaErrorNotSupported);
  EXPECT(cudaMalloc3DArray(&array, &format, make_cudaExtent(64, 64, 0), cudaArrayDeferredMapping),
         cudaErrorNotSupported);
  cudaChannelFormatDesc blocks = cudaCreateChannelDesc<uint2>();
  OK(cudaMallocArray(&array, &blocks, 4, 4));
  cudaResourceDesc r = {};
  r.resType = cudaResourceTypeArray;
  r.res.array.array = array;
  cudaTextureDesc point = {};
  cudaResourceViewDesc v =
      viewOf(cudaResViewFormatUnsignedBlockCompressed1, make_cudaExtent(16, 16, 0));
  cudaTextureObject_t t = 0;
  EXPECT(cudaCreateTextureObject(&t, &r, &point, &v), cudaErrorNotSupported);
  OK(cudaFreeArray(array));

  cudaArray_t cube = makeCubes(1, cudaArrayCubemap);
  r.res.array.array = cube;
  cudaTextureDesc seamless = {};
  seamless.filterMode = cudaFilterModeLinear;
  seamless.normalizedCoords = 1;
  seamless.seamlessCubemap = 1;
  EXPECT(cudaCreateTextureObject(&t, &r, &seamless, nullptr), cudaErrorNotSupported);
  OK(cudaFreeArray(cube));

  cudaMipmappedArray_t mipmapped = makeMipmapped();
  cudaTextureDesc anisotropic = mipmapSampling(cudaFilterModeLinear, 0, 0, 10);
  anisotropic.maxAnisotropy = 8;
  r.resType = cudaResourceTypeMipmappedArray;
  r.res.mipmap.mipmap = mipmapped;
  EXPECT(cudaCreateTextureObject(&t, &r, &anisotropic, nullptr), cudaErrorNotSupported);
  cudaGetLastError();

  float* out = nullptr;
  OK(cudaMallocManaged(&out, sizeof(float)));
  t = mipmapTexture(mipmapped, mipmapSampling(cudaFilterModePoint, 0, 0, 10));
  multisample<<<1, 1>>>(t, out);
  std::printf("multisample launch: %s\n", cudaGetErrorName(cudaGetLastError()));
  plainFetch<<<1, 1>>>(t, out);
  OK(cudaDeviceSynchronize());
  REQUIRE(out[0] == pointAt(0, kU, kV));
  OK(cudaDestroyTextureObject(t));
  OK(cudaFreeMipmappedArray(mipmapped));
  OK(cudaFree(out));
  std::printf("other kernels ok\n");
  return 0;
}

int main(int argc, char** argv) {
  const char* section = argc > 1 ? argv[1] : "";
  if (!std::strcmp(section, "mipmapped"))
    return mipmapped();
  if (!std::strcmp(section, "cubes"))
    return cubes();
  if (!std::strcmp(section, "formatted"))
    return formatted();
  if (!std::strcmp(section, "views"))
    return views();
  if (!std::strcmp(section, "array-queries"))
    return arrayQueries();
  if (!std::strcmp(section, "refused"))
    return refused();
  std::printf("usage: texture_levels mipmapped|cubes|formatted|views|array-queries|refused\n");
  return 2;
}
