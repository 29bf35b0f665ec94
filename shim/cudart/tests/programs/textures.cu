// CUDA arrays, texture objects and surface objects, as an nvcc-built program uses them. Expected
// texels are computed here from the CUDA Programming Guide's "Texture Fetching" formulas, not
// from Drawbridge's sampler. Run as `textures SECTION`.
// The 1D array copies (cudaMemcpyFromArray) are deprecated but still exported; they are checked
// (built with -DCUDA_ENABLE_DEPRECATED, which nvcc must see before its implicit cuda_runtime.h).
#include "Check.cuh"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <cuda_runtime.h>
#include <vector>

constexpr int W = 5, H = 4; // a small 2D texture, odd width so wrap and mirror differ

static float texel(int x, int y) {
  return static_cast<float>(10 * y + x);
}

// --- Reference addressing and filtering (Programming Guide, "Texture Fetching") -----------------
static int addressed(int i, int n, cudaTextureAddressMode mode) {
  switch (mode) {
  case cudaAddressModeWrap:
    return ((i % n) + n) % n;
  case cudaAddressModeMirror: {
    int j = ((i % (2 * n)) + 2 * n) % (2 * n);
    return j < n ? j : 2 * n - 1 - j;
  }
  case cudaAddressModeClamp:
    return i < 0 ? 0 : i >= n ? n - 1 : i;
  default:
    return i < 0 || i >= n ? -1 : i;
  }
}

static float lookup(int x, int y, cudaTextureAddressMode mode) {
  int ax = addressed(x, W, mode), ay = addressed(y, H, mode);
  return ax < 0 || ay < 0 ? 0.0f : texel(ax, ay);
}

// Point sampling at unnormalized (x, y): T[floor(x), floor(y)].
static float point(float x, float y, cudaTextureAddressMode mode) {
  return lookup(static_cast<int>(std::floor(x)), static_cast<int>(std::floor(y)), mode);
}

// Linear filtering: xB = x - 0.5, weights frac(xB) held with 8 fractional bits.
static float linear(float x, float y, cudaTextureAddressMode mode) {
  float xb = x - 0.5f, yb = y - 0.5f;
  int i = static_cast<int>(std::floor(xb)), j = static_cast<int>(std::floor(yb));
  float a = std::round((xb - std::floor(xb)) * 256) / 256;
  float b = std::round((yb - std::floor(yb)) * 256) / 256;
  return (1 - a) * (1 - b) * lookup(i, j, mode) + a * (1 - b) * lookup(i + 1, j, mode) +
         (1 - a) * b * lookup(i, j + 1, mode) + a * b * lookup(i + 1, j + 1, mode);
}

// --- Kernels ------------------------------------------------------------------------------------
__global__ void sample2D(cudaTextureObject_t t, const float2* at, float* out, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n)
    out[i] = tex2D<float>(t, at[i].x, at[i].y);
}

__global__ void fetch1D(cudaTextureObject_t t, int* out, int n) {
  int i = threadIdx.x;
  if (i < n)
    out[i] = tex1Dfetch<int>(t, i - 2); // two before the start, and past the end
}

__global__ void normalized(cudaTextureObject_t t, float4* out) {
  out[threadIdx.x] = tex1D<float4>(t, threadIdx.x + 0.5f);
}

__global__ void gather(cudaTextureObject_t t, float x, float y, float4* out) {
  *out = tex2Dgather<float4>(t, x, y, 0);
}

__global__ void sample3D(cudaTextureObject_t t, float* out) {
  int x = threadIdx.x, y = threadIdx.y, z = threadIdx.z;
  out[(z * 3 + y) * 4 + x] = tex3D<float>(t, x + 0.5f, y + 0.5f, z + 0.5f);
}

// Each thread adds 1 to its element of a 2D surface of ints; then one stores with clamping and
// zeroing outside it.
__global__ void surfaceUpdate(cudaSurfaceObject_t s) {
  int x = threadIdx.x, y = threadIdx.y;
  int v = surf2Dread<int>(s, x * 4, y);
  surf2Dwrite(v + 1, s, x * 4, y);
  __syncthreads();
  if (x == 0 && y == 0) {
    surf2Dwrite(-7, s, 1000 * 4, 0, cudaBoundaryModeClamp); // lands on (W-1, 0)
    surf2Dwrite(-9, s, -4, 1, cudaBoundaryModeZero);        // dropped
  }
}

__global__ void surfaceOutside(cudaSurfaceObject_t s) {
  surf2Dwrite(1, s, 4000, 0); // .trap: the launch fails
}

__global__ void surfaceRead(cudaSurfaceObject_t s, int* out) {
  out[0] = surf2Dread<int>(s, 100 * 4, 0, cudaBoundaryModeZero);
  out[1] = surf2Dread<int>(s, 100 * 4, 2, cudaBoundaryModeClamp);
}

// --- Sections -----------------------------------------------------------------------------------
static cudaArray_t makeArray(unsigned flags = 0) {
  cudaChannelFormatDesc format = cudaCreateChannelDesc<float>();
  cudaArray_t array = nullptr;
  OK(cudaMallocArray(&array, &format, W, H, flags));
  std::vector<float> host(W * H);
  for (int y = 0; y < H; ++y)
    for (int x = 0; x < W; ++x)
      host[y * W + x] = texel(x, y);
  OK(cudaMemcpy2DToArray(array, 0, 0, host.data(), W * sizeof(float), W * sizeof(float), H,
                         cudaMemcpyHostToDevice));
  return array;
}

// Copies into and out of arrays, in 2D, 1D and 3D forms, give back what went in.
static int arrays() {
  cudaArray_t array = makeArray();
  cudaChannelFormatDesc format;
  cudaExtent extent;
  unsigned flags = 7;
  OK(cudaArrayGetInfo(&format, &extent, &flags, array));
  REQUIRE(format.x == 32 && format.y == 0 && format.f == cudaChannelFormatKindFloat);
  REQUIRE(extent.width == W && extent.height == H && extent.depth == 0 && flags == 0);

  // A 3x2 window from (1, 1) into pitched host memory.
  float window[2][4] = {};
  OK(cudaMemcpy2DFromArray(window, sizeof window[0], array, 1 * sizeof(float), 1, 3 * sizeof(float),
                           2, cudaMemcpyDeviceToHost));
  REQUIRE(window[0][0] == texel(1, 1) && window[0][2] == texel(3, 1) &&
          window[1][0] == texel(1, 2) && window[0][3] == 0);
  // 1D copies run on from row to row.
  float row[7];
  OK(cudaMemcpyFromArray(row, array, 3 * sizeof(float), 1, sizeof row, cudaMemcpyDeviceToHost));
  REQUIRE(row[0] == texel(3, 1) && row[2] == texel(0, 2) && row[6] == texel(4, 2));
  // Array to array, then a 3D copy out of the second.
  cudaArray_t second = nullptr;
  OK(cudaMallocArray(&second, &format, W, H));
  OK(cudaMemcpy2DArrayToArray(second, 0, 0, array, 0, 0, W * sizeof(float), H,
                              cudaMemcpyDeviceToDevice));
  std::vector<float> back(W * H);
  cudaMemcpy3DParms p = {};
  p.srcArray = second;
  p.dstPtr = make_cudaPitchedPtr(back.data(), W * sizeof(float), W, H);
  p.extent = make_cudaExtent(W, H, 1); // elements of the array
  p.kind = cudaMemcpyDeviceToHost;
  OK(cudaMemcpy3D(&p));
  for (int i = 0; i < W * H; ++i)
    REQUIRE(back[i] == texel(i % W, i / W));
  // Out of bounds, bad handles.
  EXPECT(cudaMemcpy2DFromArray(window, sizeof window[0], array, 4 * sizeof(float), 0,
                               2 * sizeof(float), 1, cudaMemcpyDeviceToHost),
         cudaErrorInvalidValue);
  p.extent = make_cudaExtent(W + 1, H, 1);
  EXPECT(cudaMemcpy3D(&p), cudaErrorInvalidValue);
  OK(cudaFreeArray(second));
  EXPECT(cudaArrayGetInfo(&format, &extent, &flags, second), cudaErrorInvalidValue);
  cudaChannelFormatDesc three = cudaCreateChannelDesc(8, 8, 8, 0, cudaChannelFormatKindUnsigned);
  cudaArray_t odd = nullptr;
  EXPECT(cudaMallocArray(&odd, &three, 4, 4), cudaErrorInvalidChannelDescriptor);
  cudaGetLastError();
  // A batched 3D copy out of an array: its offset, the extent and the row length in elements.
  cudaStream_t stream;
  OK(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking));
  float part[2][2] = {};
  cudaMemcpy3DBatchOp op = {};
  op.src.type = cudaMemcpyOperandTypeArray;
  op.src.op.array.array = array;
  op.src.op.array.offset = {2, 1, 0};
  op.dst.type = cudaMemcpyOperandTypePointer;
  op.dst.op.ptr.ptr = part;
  op.dst.op.ptr.rowLength = 2;
  op.extent = make_cudaExtent(2, 2, 1);
  op.srcAccessOrder = cudaMemcpySrcAccessOrderStream;
  OK(cudaMemcpy3DBatchAsync(1, &op, 0, stream));
  OK(cudaStreamSynchronize(stream));
  REQUIRE(part[0][0] == texel(2, 1) && part[0][1] == texel(3, 1) && part[1][1] == texel(3, 2));
  OK(cudaStreamDestroy(stream));
  OK(cudaFreeArray(array));
  std::printf("arrays ok\n");
  return 0;
}

static cudaTextureObject_t textureOf(cudaArray_t array, cudaTextureAddressMode mode,
                                     cudaTextureFilterMode filter, bool normalizedCoords) {
  cudaResourceDesc resource = {};
  resource.resType = cudaResourceTypeArray;
  resource.res.array.array = array;
  cudaTextureDesc desc = {};
  desc.addressMode[0] = desc.addressMode[1] = mode;
  desc.filterMode = filter;
  desc.readMode = cudaReadModeElementType;
  desc.normalizedCoords = normalizedCoords;
  cudaTextureObject_t t = 0;
  OK(cudaCreateTextureObject(&t, &resource, &desc, nullptr));
  return t;
}

// tex2D with point and linear filtering under every address mode, at points inside, on texel
// edges and outside the texture; wrap and mirror with normalized coordinates.
static int sampling() {
  cudaArray_t array = makeArray();
  const float2 points[] = {{0.5f, 0.5f}, {2.3f, 1.7f},   {4.99f, 3.01f}, {-0.7f, 1.2f},
                           {5.6f, 2.5f}, {1.25f, -1.3f}, {7.9f, 6.4f},   {-3.2f, -2.6f},
                           {2.0f, 2.0f}, {0.1f, 3.9f},   {3.77f, 0.61f}, {-5.5f, 9.25f}};
  const int n = sizeof points / sizeof points[0];
  float2* at = nullptr;
  float* out = nullptr;
  OK(cudaMalloc(&at, sizeof points));
  OK(cudaMalloc(&out, n * sizeof(float)));
  OK(cudaMemcpy(at, points, sizeof points, cudaMemcpyHostToDevice));
  const cudaTextureAddressMode modes[] = {cudaAddressModeWrap, cudaAddressModeClamp,
                                          cudaAddressModeMirror, cudaAddressModeBorder};
  const char* names[] = {"wrap", "clamp", "mirror", "border"};
  for (int m = 0; m < 4; ++m)
    for (int filter = 0; filter < 2; ++filter) {
      // Wrap and mirror need normalized coordinates; the others are checked unnormalized.
      bool normalizedCoords = modes[m] == cudaAddressModeWrap || modes[m] == cudaAddressModeMirror;
      cudaTextureObject_t t = textureOf(
          array, modes[m], filter ? cudaFilterModeLinear : cudaFilterModePoint, normalizedCoords);
      std::vector<float2> given(points, points + n);
      if (normalizedCoords)
        for (float2& p : given)
          p = make_float2(p.x / W, p.y / H);
      OK(cudaMemcpy(at, given.data(), sizeof points, cudaMemcpyHostToDevice));
      sample2D<<<1, n>>>(t, at, out, n);
      OK(cudaGetLastError());
      float got[n];
      OK(cudaMemcpy(got, out, sizeof got, cudaMemcpyDeviceToHost));
      for (int i = 0; i < n; ++i) {
        // The texture unit scales normalized coordinates back in float arithmetic.
        float x = normalizedCoords ? given[i].x * W : points[i].x;
        float y = normalizedCoords ? given[i].y * H : points[i].y;
        float want = filter ? linear(x, y, modes[m]) : point(x, y, modes[m]);
        if (std::fabs(got[i] - want) > 1e-4f * (1 + std::fabs(want))) {
          std::printf("FAIL %s %s at (%g, %g): got %.6f, expected %.6f\n", names[m],
                      filter ? "linear" : "point", points[i].x, points[i].y, got[i], want);
          return 1;
        }
      }
      cudaTextureDesc back;
      OK(cudaGetTextureObjectTextureDesc(&back, t));
      REQUIRE(back.addressMode[0] == modes[m] && back.normalizedCoords == normalizedCoords);
      OK(cudaDestroyTextureObject(t));
    }
  OK(cudaFree(at));
  OK(cudaFree(out));
  OK(cudaFreeArray(array));
  std::printf("sampling ok\n");
  return 0;
}

// tex1Dfetch on linear memory: integer indices, zero outside; normalized reads of 8-bit
// texels, unsigned, sRGB and signed; a 2D gather; a 3D array.
static int fetches() {
  const int count = 6;
  int* buffer = nullptr;
  OK(cudaMalloc(&buffer, count * sizeof(int)));
  int values[count] = {5, -3, 17, 40000, -100000, 9};
  OK(cudaMemcpy(buffer, values, sizeof values, cudaMemcpyHostToDevice));
  cudaResourceDesc resource = {};
  resource.resType = cudaResourceTypeLinear;
  resource.res.linear.devPtr = buffer;
  resource.res.linear.desc = cudaCreateChannelDesc<int>();
  resource.res.linear.sizeInBytes = sizeof values;
  cudaTextureDesc desc = {};
  desc.readMode = cudaReadModeElementType;
  cudaTextureObject_t t = 0;
  OK(cudaCreateTextureObject(&t, &resource, &desc, nullptr));
  size_t widest = 0;
  int widestAttribute = 0;
  OK(cudaDeviceGetTexture1DLinearMaxWidth(&widest, &resource.res.linear.desc, 0));
  OK(cudaDeviceGetAttribute(&widestAttribute, cudaDevAttrMaxTexture1DLinearWidth, 0));
  REQUIRE(widest >= count && widest <= static_cast<size_t>(widestAttribute));
  int* got = nullptr;
  OK(cudaMallocManaged(&got, (count + 4) * sizeof(int)));
  fetch1D<<<1, count + 4>>>(t, got, count + 4);
  OK(cudaDeviceSynchronize());
  for (int i = 0; i < count + 4; ++i) {
    int index = i - 2;
    REQUIRE(got[i] == (index >= 0 && index < count ? values[index] : 0));
  }
  cudaResourceDesc back;
  OK(cudaGetTextureObjectResourceDesc(&back, t));
  REQUIRE(back.resType == cudaResourceTypeLinear && back.res.linear.devPtr == buffer);
  OK(cudaDestroyTextureObject(t));
  EXPECT(cudaDestroyTextureObject(t), cudaErrorInvalidValue);

  // uchar4 read as normalized floats: u/255.
  cudaChannelFormatDesc bytes = cudaCreateChannelDesc<uchar4>();
  cudaArray_t quad = nullptr;
  OK(cudaMallocArray(&quad, &bytes, 2));
  const unsigned char raw[8] = {0, 51, 128, 255, 7, 200, 1, 254};
  OK(cudaMemcpy2DToArray(quad, 0, 0, raw, 8, 8, 1, cudaMemcpyHostToDevice));
  resource = {};
  resource.resType = cudaResourceTypeArray;
  resource.res.array.array = quad;
  desc = {};
  desc.readMode = cudaReadModeNormalizedFloat;
  desc.addressMode[0] = cudaAddressModeClamp;
  OK(cudaCreateTextureObject(&t, &resource, &desc, nullptr));
  float4* unit = nullptr;
  OK(cudaMallocManaged(&unit, 2 * sizeof(float4)));
  normalized<<<1, 2>>>(t, unit);
  OK(cudaDeviceSynchronize());
  const float* f = &unit[0].x;
  for (int i = 0; i < 8; ++i)
    REQUIRE(std::fabs(f[i] - raw[i] / 255.0f) < 1e-6f);
  OK(cudaDestroyTextureObject(t));
  // With sRGB, red, green and blue are decoded to linear light; alpha is not.
  desc.sRGB = 1;
  OK(cudaCreateTextureObject(&t, &resource, &desc, nullptr));
  normalized<<<1, 2>>>(t, unit);
  OK(cudaDeviceSynchronize());
  for (int i = 0; i < 8; ++i) {
    float c = raw[i] / 255.0f;
    float want = i % 4 == 3      ? c
                 : c <= 0.04045f ? c / 12.92f
                                 : std::pow((c + 0.055f) / 1.055f, 2.4f);
    REQUIRE(std::fabs(f[i] - want) < 1e-5f);
  }
  OK(cudaDestroyTextureObject(t));
  desc.sRGB = 0;
  // Signed bytes: max(s/127, -1).
  cudaChannelFormatDesc signedBytes = cudaCreateChannelDesc<char2>();
  cudaArray_t pairs = nullptr;
  OK(cudaMallocArray(&pairs, &signedBytes, 2));
  const signed char sraw[4] = {-128, 127, -64, 5};
  OK(cudaMemcpy2DToArray(pairs, 0, 0, sraw, 4, 4, 1, cudaMemcpyHostToDevice));
  resource.res.array.array = pairs;
  OK(cudaCreateTextureObject(&t, &resource, &desc, nullptr));
  normalized<<<1, 2>>>(t, unit);
  OK(cudaDeviceSynchronize());
  REQUIRE(unit[0].x == -1.0f && unit[0].y == 1.0f);
  REQUIRE(std::fabs(unit[1].x - (-64 / 127.0f)) < 1e-6f &&
          std::fabs(unit[1].y - 5 / 127.0f) < 1e-6f);
  OK(cudaDestroyTextureObject(t));
  OK(cudaFreeArray(pairs));
  cudaChannelFormatDesc wide = cudaCreateChannelDesc<int>();
  desc.readMode = cudaReadModeNormalizedFloat; // 32-bit integers do not normalize
  cudaArray_t ints = nullptr;
  OK(cudaMallocArray(&ints, &wide, 2));
  resource.res.array.array = ints;
  EXPECT(cudaCreateTextureObject(&t, &resource, &desc, nullptr), cudaErrorInvalidNormSetting);
  cudaGetLastError();
  OK(cudaFreeArray(ints));

  // tex2Dgather at (2.3, 1.7): the four texels around (1.8, 1.2) are (1..2, 1..2), returned as
  // (i, j+1), (i+1, j+1), (i+1, j), (i, j).
  cudaArray_t array = makeArray();
  t = textureOf(array, cudaAddressModeClamp, cudaFilterModePoint, false);
  float4* four = nullptr;
  OK(cudaMallocManaged(&four, sizeof(float4)));
  gather<<<1, 1>>>(t, 2.3f, 1.7f, four);
  OK(cudaDeviceSynchronize());
  REQUIRE(four->x == texel(1, 2) && four->y == texel(2, 2) && four->z == texel(2, 1) &&
          four->w == texel(1, 1));
  OK(cudaDestroyTextureObject(t));

  // A 4x3x2 array read back texel by texel through tex3D.
  cudaChannelFormatDesc real = cudaCreateChannelDesc<float>();
  cudaArray_t volume = nullptr;
  OK(cudaMalloc3DArray(&volume, &real, make_cudaExtent(4, 3, 2)));
  float cells[24];
  for (int i = 0; i < 24; ++i)
    cells[i] = 0.5f * i;
  cudaMemcpy3DParms p = {};
  p.srcPtr = make_cudaPitchedPtr(cells, 4 * sizeof(float), 4, 3);
  p.dstArray = volume;
  p.extent = make_cudaExtent(4, 3, 2);
  p.kind = cudaMemcpyHostToDevice;
  OK(cudaMemcpy3D(&p));
  resource.res.array.array = volume;
  desc = {};
  OK(cudaCreateTextureObject(&t, &resource, &desc, nullptr));
  float* seen = nullptr;
  OK(cudaMallocManaged(&seen, sizeof cells));
  sample3D<<<1, dim3(4, 3, 2)>>>(t, seen);
  OK(cudaDeviceSynchronize());
  for (int i = 0; i < 24; ++i)
    REQUIRE(seen[i] == cells[i]);
  OK(cudaDestroyTextureObject(t));
  OK(cudaFreeArray(volume));
  OK(cudaFree(seen));
  OK(cudaFree(four));
  OK(cudaFree(unit));
  OK(cudaFree(got));
  OK(cudaFree(buffer));
  OK(cudaFreeArray(quad));
  OK(cudaFreeArray(array));
  std::printf("fetches ok\n");
  return 0;
}

// surf2Dread and surf2Dwrite, with the trap, clamp and zero boundary modes.
static int surfaces() {
  cudaChannelFormatDesc format = cudaCreateChannelDesc<int>();
  cudaArray_t array = nullptr;
  OK(cudaMallocArray(&array, &format, W, H, cudaArraySurfaceLoadStore));
  int host[H][W];
  for (int y = 0; y < H; ++y)
    for (int x = 0; x < W; ++x)
      host[y][x] = 100 * y + x;
  OK(cudaMemcpy2DToArray(array, 0, 0, host, sizeof host[0], sizeof host[0], H,
                         cudaMemcpyHostToDevice));
  cudaResourceDesc resource = {};
  resource.resType = cudaResourceTypeArray;
  resource.res.array.array = array;
  cudaSurfaceObject_t s = 0;
  OK(cudaCreateSurfaceObject(&s, &resource));
  surfaceUpdate<<<1, dim3(W, H)>>>(s);
  OK(cudaDeviceSynchronize());
  int after[H][W];
  OK(cudaMemcpy2DFromArray(after, sizeof after[0], array, 0, 0, sizeof after[0], H,
                           cudaMemcpyDeviceToHost));
  for (int y = 0; y < H; ++y)
    for (int x = 0; x < W; ++x) {
      int want = (x == W - 1 && y == 0) ? -7 : host[y][x] + 1;
      if (after[y][x] != want) {
        std::printf("FAIL surface (%d, %d): %d, expected %d\n", x, y, after[y][x], want);
        return 1;
      }
    }
  int* read = nullptr;
  OK(cudaMallocManaged(&read, 2 * sizeof(int)));
  surfaceRead<<<1, 1>>>(s, read);
  OK(cudaDeviceSynchronize());
  REQUIRE(read[0] == 0 && read[1] == after[2][W - 1]);

  cudaArray_t plain = makeArray(); // without cudaArraySurfaceLoadStore
  resource.res.array.array = plain;
  cudaSurfaceObject_t refused = 0;
  EXPECT(cudaCreateSurfaceObject(&refused, &resource), cudaErrorInvalidValue);
  cudaGetLastError();
  OK(cudaFreeArray(plain));
  OK(cudaFree(read));
  std::printf("surfaces ok\n");

  // Out of bounds with .trap: the launch fails, as on NVIDIA's hardware.
  surfaceOutside<<<1, 1>>>(s);
  cudaError_t status = cudaDeviceSynchronize();
  std::printf("trap: %s\n", cudaGetErrorName(status));
  return 0;
}

// A multisample fetch, which CUDA C++ has no function for (inline PTX).
__global__ void multisample(cudaTextureObject_t t, float* out) {
  float a, b, c, d;
  asm volatile("tex.2dms.v4.f32.s32 {%0, %1, %2, %3}, [%4, {%5, %5, %5, %5}];"
               : "=f"(a), "=f"(b), "=f"(c), "=f"(d)
               : "l"(t), "r"(0));
  *out = a + b + c + d;
}

// DRAWBRIDGE-ONLY(unsupported): multisample textures are not supported by Drawbridge; a kernel
// that fetches from one fails its own launches, naming the instruction, and other kernels still
// run.
static int unsupported() {
  float* out = nullptr;
  OK(cudaMallocManaged(&out, sizeof(float)));
  multisample<<<1, 1>>>(0, out);
  std::printf("multisample launch: %s\n", cudaGetErrorName(cudaGetLastError()));
  cudaArray_t array = makeArray();
  cudaTextureObject_t t = textureOf(array, cudaAddressModeClamp, cudaFilterModePoint, false);
  float2* at = nullptr;
  OK(cudaMallocManaged(&at, sizeof(float2)));
  *at = make_float2(3.5f, 2.5f);
  sample2D<<<1, 1>>>(t, at, out, 1);
  OK(cudaDeviceSynchronize());
  REQUIRE(*out == texel(3, 2));
  OK(cudaDestroyTextureObject(t));
  OK(cudaFreeArray(array));
  OK(cudaFree(at));
  OK(cudaFree(out));
  std::printf("other kernels ok\n");
  return 0;
}

__global__ void layers(cudaTextureObject_t t, float* out) {
  int x = threadIdx.x, y = threadIdx.y, layer = threadIdx.z;
  out[(layer * H + y) * W + x] = tex2DLayered<float>(t, x + 0.5f, y + 0.5f, layer);
  if (x == 0 && y == 0 && layer == 0)
    out[2 * W * H] = tex2DLayered<float>(t, 1.5f, 2.5f, 7); // past the last layer: clamped
}

__global__ void layeredSurface(cudaSurfaceObject_t s) {
  int x = threadIdx.x, layer = threadIdx.y;
  surf1DLayeredwrite(surf1DLayeredread<int>(s, x * 4, layer) * 2 + layer, s, x * 4, layer);
}

// Layered arrays: tex2DLayered reads each layer's texels (a layer index past the last is
// clamped); surf1DLayeredread/write reach each layer's elements.
static int layeredArrays() {
  cudaChannelFormatDesc format = cudaCreateChannelDesc<float>();
  cudaArray_t array = nullptr;
  OK(cudaMalloc3DArray(&array, &format, make_cudaExtent(W, H, 2), cudaArrayLayered));
  std::vector<float> host(2 * W * H);
  for (int i = 0; i < 2 * W * H; ++i)
    host[i] = texel(i % W, (i / W) % H) + 1000.0f * (i / (W * H));
  cudaMemcpy3DParms p = {};
  p.srcPtr = make_cudaPitchedPtr(host.data(), W * sizeof(float), W, H);
  p.dstArray = array;
  p.extent = make_cudaExtent(W, H, 2);
  p.kind = cudaMemcpyHostToDevice;
  OK(cudaMemcpy3D(&p));
  cudaTextureObject_t t = textureOf(array, cudaAddressModeClamp, cudaFilterModePoint, false);
  float* out = nullptr;
  OK(cudaMallocManaged(&out, (2 * W * H + 1) * sizeof(float)));
  layers<<<1, dim3(W, H, 2)>>>(t, out);
  OK(cudaDeviceSynchronize());
  for (int i = 0; i < 2 * W * H; ++i)
    REQUIRE(out[i] == host[i]);
  REQUIRE(out[2 * W * H] == texel(1, 2) + 1000.0f);
  OK(cudaDestroyTextureObject(t));

  cudaChannelFormatDesc ints = cudaCreateChannelDesc<int>();
  cudaArray_t rows = nullptr;
  OK(cudaMalloc3DArray(&rows, &ints, make_cudaExtent(W, 0, 3),
                       cudaArrayLayered | cudaArraySurfaceLoadStore));
  int values[3][W];
  for (int l = 0; l < 3; ++l)
    for (int x = 0; x < W; ++x)
      values[l][x] = 10 * l + x;
  p = {};
  p.srcPtr = make_cudaPitchedPtr(values, sizeof values[0], W, 1);
  p.dstArray = rows;
  p.extent = make_cudaExtent(W, 1, 3);
  p.kind = cudaMemcpyHostToDevice;
  OK(cudaMemcpy3D(&p));
  cudaResourceDesc resource = {};
  resource.resType = cudaResourceTypeArray;
  resource.res.array.array = rows;
  cudaSurfaceObject_t s = 0;
  OK(cudaCreateSurfaceObject(&s, &resource));
  layeredSurface<<<1, dim3(W, 3)>>>(s);
  OK(cudaDeviceSynchronize());
  int back[3][W];
  p = {};
  p.srcArray = rows;
  p.dstPtr = make_cudaPitchedPtr(back, sizeof back[0], W, 1);
  p.extent = make_cudaExtent(W, 1, 3);
  p.kind = cudaMemcpyDeviceToHost;
  OK(cudaMemcpy3D(&p));
  for (int l = 0; l < 3; ++l)
    for (int x = 0; x < W; ++x)
      REQUIRE(back[l][x] == values[l][x] * 2 + l);
  OK(cudaDestroySurfaceObject(s));
  OK(cudaFreeArray(rows));
  OK(cudaFree(out));
  OK(cudaFreeArray(array));
  std::printf("layered ok\n");
  return 0;
}

// The extent of one level of a mipmapped array, as cudaArrayGetInfo gives it.
static cudaExtent levelExtent(cudaMipmappedArray_t mipmapped, unsigned level) {
  cudaArray_t array = nullptr;
  OK(cudaGetMipmappedArrayLevel(&array, mipmapped, level));
  cudaChannelFormatDesc format = {};
  cudaExtent extent = {};
  unsigned flags = 0;
  OK(cudaArrayGetInfo(&format, &extent, &flags, array));
  REQUIRE(format.x == 32 && format.f == cudaChannelFormatKindFloat);
  return extent;
}

// Mipmapped arrays: the documented level count (clamped to 1 + floor(log2(largest extent))) and
// halved extents; each level is an array that copies reach and a texture samples.
static int mipmaps() {
  cudaChannelFormatDesc format = cudaCreateChannelDesc<float>();
  cudaMipmappedArray_t mipmapped = nullptr;
  OK(cudaMallocMipmappedArray(&mipmapped, &format, make_cudaExtent(2 * W, 2 * H, 0), 10, 0));
  const size_t widths[] = {2 * W, W, 2, 1}, heights[] = {2 * H, H, 2, 1};
  for (unsigned level = 0; level < 4; ++level) {
    cudaExtent extent = levelExtent(mipmapped, level);
    REQUIRE(extent.width == widths[level] && extent.height == heights[level] && !extent.depth);
  }
  cudaArray_t level = nullptr;
  EXPECT(cudaGetMipmappedArrayLevel(&level, mipmapped, 4), cudaErrorInvalidValue);
  EXPECT(cudaGetMipmappedArrayLevel(&level, nullptr, 0), cudaErrorInvalidResourceHandle);
  cudaGetLastError(); // the expected errors are the last error until read

  // Level 1 is W x H: filled, sampled at texel centres, and read back.
  OK(cudaGetMipmappedArrayLevel(&level, mipmapped, 1));
  std::vector<float> host(W * H), back(W * H);
  std::vector<float2> centres(W * H);
  for (int y = 0; y < H; ++y)
    for (int x = 0; x < W; ++x) {
      host[y * W + x] = texel(x, y);
      centres[y * W + x] = make_float2(x + 0.5f, y + 0.5f);
    }
  OK(cudaMemcpy2DToArray(level, 0, 0, host.data(), W * sizeof(float), W * sizeof(float), H,
                         cudaMemcpyHostToDevice));
  cudaTextureObject_t t = textureOf(level, cudaAddressModeClamp, cudaFilterModePoint, false);
  float2* at = nullptr;
  float* out = nullptr;
  OK(cudaMalloc(&at, W * H * sizeof(float2)));
  OK(cudaMalloc(&out, W * H * sizeof(float)));
  OK(cudaMemcpy(at, centres.data(), W * H * sizeof(float2), cudaMemcpyHostToDevice));
  sample2D<<<1, W * H>>>(t, at, out, W * H);
  OK(cudaGetLastError());
  OK(cudaMemcpy(back.data(), out, W * H * sizeof(float), cudaMemcpyDeviceToHost));
  REQUIRE(back == host);
  std::fill(back.begin(), back.end(), -1.0f);
  OK(cudaMemcpy2DFromArray(back.data(), W * sizeof(float), level, 0, 0, W * sizeof(float), H,
                           cudaMemcpyDeviceToHost));
  REQUIRE(back == host);
  OK(cudaDestroyTextureObject(t));
  OK(cudaFree(at));
  OK(cudaFree(out));
  OK(cudaFreeMipmappedArray(mipmapped));

  // A 1D array asked for no levels gets one; a layered one halves every extent but the layers.
  OK(cudaMallocMipmappedArray(&mipmapped, &format, make_cudaExtent(8, 0, 0), 0, 0));
  REQUIRE(levelExtent(mipmapped, 0).width == 8);
  EXPECT(cudaGetMipmappedArrayLevel(&level, mipmapped, 1), cudaErrorInvalidValue);
  OK(cudaFreeMipmappedArray(mipmapped));
  OK(cudaMallocMipmappedArray(&mipmapped, &format, make_cudaExtent(16, 8, 3), 3, cudaArrayLayered));
  cudaExtent layered = levelExtent(mipmapped, 2);
  REQUIRE(layered.width == 4 && layered.height == 2 && layered.depth == 3);
  OK(cudaFreeMipmappedArray(mipmapped));
  OK(cudaFreeMipmappedArray(nullptr));
  std::printf("mipmaps ok\n");
  return 0;
}

int main(int argc, char** argv) {
  const char* section = argc > 1 ? argv[1] : "";
  if (!std::strcmp(section, "arrays"))
    return arrays();
  if (!std::strcmp(section, "sampling"))
    return sampling();
  if (!std::strcmp(section, "fetches"))
    return fetches();
  if (!std::strcmp(section, "surfaces"))
    return surfaces();
  if (!std::strcmp(section, "layered"))
    return layeredArrays();
  if (!std::strcmp(section, "mipmaps"))
    return mipmaps();
  if (!std::strcmp(section, "unsupported"))
    return unsupported();
  std::printf("usage: textures arrays|sampling|fetches|surfaces|layered|mipmaps|unsupported\n");
  return 2;
}
