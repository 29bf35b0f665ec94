// Library management (CUDA 12+): code loaded by handle, its kernels as cudaKernel_t, its globals;
// and cudaGetKernel for a program's own kernels. A cudaKernel_t is a RegisteredFunction's
// address, which every function API (launch, attributes, occupancy, graphs) accepts.
#include "Api.h"
#include "Export.h"
#include "Library.h"
#include "Log.h"
#include "Modules.h"
#include "Runtime.h"

#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>

using namespace drawbridge::cudart;

namespace {

// JIT options: the PTX frontend has no knobs, so inputs are checked and ignored, as the driver
// ignores hints its JIT cannot use; outputs (the logs and the wall time) are written.
struct JitOptions {
  cudaJitOption* options;
  void** values;
  unsigned count;
};

bool knownJitOption(cudaJitOption option) {
  return (option >= cudaJitMaxRegisters && option <= cudaJitOptimizationLevel) ||
         (option >= cudaJitFallbackStrategy && option <= cudaJitCacheMode) ||
         (option >= cudaJitPositionIndependentCode && option <= cudaJitOverrideDirectiveValues);
}

// A log buffer's size option is an input (capacity) and an output (bytes written).
void writeLog(const JitOptions& jit, cudaJitOption buffer, cudaJitOption size,
              const std::string& text) {
  char* log = nullptr;
  unsigned* capacity = nullptr;
  for (unsigned i = 0; i < jit.count; ++i) {
    if (jit.options[i] == buffer)
      log = static_cast<char*>(jit.values[i]);
    if (jit.options[i] == size)
      capacity = reinterpret_cast<unsigned*>(&jit.values[i]);
  }
  if (!log || !capacity || *capacity == 0)
    return;
  size_t written = std::min<size_t>(text.size(), *capacity - 1);
  std::memcpy(log, text.data(), written);
  log[written] = '\0';
  *capacity = unsigned(written);
}

void writeWallTime(const JitOptions& jit, float milliseconds) {
  for (unsigned i = 0; i < jit.count; ++i)
    if (jit.options[i] == cudaJitWallTime)
      std::memcpy(&jit.values[i], &milliseconds, sizeof milliseconds);
}

// cudaLibraryBinaryIsPreserved is a hint (the runtime keeps its own copy regardless); it is
// invalid for a file. cudaLibraryHostUniversalFunctionAndDataTable is the runtime's own.
cudaError_t checkOptions(const JitOptions& jit, const cudaLibraryOption* options, void** values,
                         unsigned count, bool fromFile) {
  if ((jit.count && (!jit.options || !jit.values)) || (count && (!options || !values)))
    return cudaErrorInvalidValue;
  for (unsigned i = 0; i < jit.count; ++i)
    if (!knownJitOption(jit.options[i]))
      return cudaErrorInvalidValue;
  for (unsigned i = 0; i < count; ++i) {
    if (options[i] == cudaLibraryBinaryIsPreserved && !fromFile)
      continue;
    if (options[i] == cudaLibraryHostUniversalFunctionAndDataTable)
      continue;
    return cudaErrorInvalidValue;
  }
  return cudaSuccess;
}

// Builds the library and loads its PTX on the current device, so that code the frontend cannot
// read fails this call; kernels still compile on first use (all now under
// CUDA_MODULE_LOADING=EAGER).
cudaError_t load(cudaLibrary_t* library, std::vector<std::byte> bytes, const std::string& origin,
                 const JitOptions& jit) {
  auto started = std::chrono::steady_clock::now();
  std::unique_ptr<RegisteredModule> built;
  std::string why;
  if (cudaError_t error = buildLibrary(std::move(bytes), origin, built, why)) {
    logError("drawbridge: cannot load the library in %s: %s\n", origin.c_str(), why.c_str());
    writeLog(jit, cudaJitErrorLogBuffer, cudaJitErrorLogBufferSizeBytes, why);
    return error;
  }
  cudaError_t error = onCurrentDevice(
      [&](drawbridge::backend::Device& device) { return loadModule(*built, device); });
  writeWallTime(
      jit,
      std::chrono::duration<float, std::milli>(std::chrono::steady_clock::now() - started).count());
  writeLog(jit, cudaJitInfoLogBuffer, cudaJitInfoLogBufferSizeBytes, "");
  writeLog(jit, cudaJitErrorLogBuffer, cudaJitErrorLogBufferSizeBytes,
           error ? "drawbridge: the library's PTX could not be loaded (see stderr)" : "");
  if (error)
    return error;
  *library = reinterpret_cast<cudaLibrary_t>(Registry::instance().addLibrary(std::move(built)));
  return cudaSuccess;
}

std::string hex(const void* address) {
  char text[2 + 16 + 1];
  std::snprintf(text, sizeof text, "%p", address);
  return text;
}

template <typename Body> cudaError_t withLibrary(cudaLibrary_t handle, Body&& body) {
  RegisteredModule* library = Registry::instance().library(handle);
  if (!library)
    return cudaErrorInvalidResourceHandle;
  return body(*library);
}

// cudaLibraryGetGlobal and cudaLibraryGetManaged: one of dptr and bytes may be NULL, not both.
cudaError_t global(void** dptr, size_t* bytes, cudaLibrary_t handle, const char* name,
                   bool managed) {
  if ((!dptr && !bytes) || !name)
    return cudaErrorInvalidValue;
  return withLibrary(handle, [&](RegisteredModule& library) {
    if (managed) {
      bool declared = false;
      for (const auto& source : library.librarySources)
        for (const auto& found : ptxManagedGlobals(source.text))
          declared |= found == name;
      if (!declared)
        return cudaErrorSymbolNotFound;
    }
    return onCurrentDevice([&](drawbridge::backend::Device& device) {
      drawbridge::backend::GlobalInfo info;
      if (cudaError_t error = resolveGlobal(library, device, name, info))
        return error;
      if (dptr)
        *dptr = info.address;
      if (bytes)
        *bytes = info.size;
      return cudaSuccess;
    });
  });
}

} // namespace

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaLibraryLoadData(
    cudaLibrary_t* library, const void* code, cudaJitOption* jitOptions, void** jitOptionsValues,
    unsigned int numJitOptions, cudaLibraryOption* libraryOptions, void** libraryOptionValues,
    unsigned int numLibraryOptions) {
  return api(
      "cudaLibraryLoadData",
      [&] {
        JitOptions jit{jitOptions, jitOptionsValues, numJitOptions};
        if (!library || !code)
          return cudaErrorInvalidValue;
        if (cudaError_t error = checkOptions(jit, libraryOptions, libraryOptionValues,
                                             numLibraryOptions, /*fromFile=*/false))
          return error;
        const auto* begin = static_cast<const std::byte*>(code);
        return load(library, std::vector<std::byte>(begin, begin + codeSize(code)),
                    "the code at " + hex(code), jit);
      },
      library, code, jitOptions, jitOptionsValues, numJitOptions, libraryOptions,
      libraryOptionValues, numLibraryOptions);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaLibraryLoadFromFile(
    cudaLibrary_t* library, const char* fileName, cudaJitOption* jitOptions,
    void** jitOptionsValues, unsigned int numJitOptions, cudaLibraryOption* libraryOptions,
    void** libraryOptionValues, unsigned int numLibraryOptions) {
  return api(
      "cudaLibraryLoadFromFile",
      [&] {
        JitOptions jit{jitOptions, jitOptionsValues, numJitOptions};
        if (!library || !fileName)
          return cudaErrorInvalidValue;
        if (cudaError_t error = checkOptions(jit, libraryOptions, libraryOptionValues,
                                             numLibraryOptions, /*fromFile=*/true))
          return error;
        std::ifstream file(fileName, std::ios::binary);
        if (!file) {
          logError("drawbridge: cudaLibraryLoadFromFile: cannot open '%s'\n", fileName);
          return cudaErrorInvalidValue;
        }
        std::vector<char> contents{std::istreambuf_iterator<char>(file), {}};
        std::vector<std::byte> bytes(contents.size());
        std::memcpy(bytes.data(), contents.data(), contents.size());
        return load(library, std::move(bytes), std::string("'") + fileName + "'", jit);
      },
      library, fileName, jitOptions, jitOptionsValues, numJitOptions, libraryOptions,
      libraryOptionValues, numLibraryOptions);
}

// Work in flight may still use the library's kernels: it finishes first.
DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaLibraryUnload(cudaLibrary_t handle) {
  return api(
      "cudaLibraryUnload",
      [&] {
        return withLibrary(handle, [&](RegisteredModule& library) {
          if (library.loaded) {
            cudaError_t error = onCurrentDevice([&](drawbridge::backend::Device& device) {
              if (auto status = device.synchronize(); !status.ok())
                return toCudaError(status, "cudaLibraryUnload");
              return toCudaError(device.unloadModule(library.loaded), "cudaLibraryUnload");
            });
            if (error)
              return error;
          }
          Registry::instance().removeModule(&library.handleSlot);
          return cudaSuccess;
        });
      },
      handle);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaLibraryGetKernel(cudaKernel_t* kernel,
                                                          cudaLibrary_t handle, const char* name) {
  return api(
      "cudaLibraryGetKernel",
      [&] {
        if (!kernel || !name)
          return cudaErrorInvalidValue;
        return withLibrary(handle, [&](RegisteredModule& library) {
          for (const auto& function : library.functions)
            if (function->deviceName == name) {
              *kernel = reinterpret_cast<cudaKernel_t>(function.get());
              return cudaSuccess;
            }
          return cudaErrorSymbolNotFound;
        });
      },
      kernel, handle, name);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaLibraryGetKernelCount(unsigned int* count,
                                                               cudaLibrary_t handle) {
  return api(
      "cudaLibraryGetKernelCount",
      [&] {
        if (!count)
          return cudaErrorInvalidValue;
        return withLibrary(handle, [&](RegisteredModule& library) {
          *count = unsigned(library.functions.size());
          return cudaSuccess;
        });
      },
      count, handle);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaLibraryEnumerateKernels(cudaKernel_t* kernels,
                                                                 unsigned int numKernels,
                                                                 cudaLibrary_t handle) {
  return api(
      "cudaLibraryEnumerateKernels",
      [&] {
        if (!kernels)
          return cudaErrorInvalidValue;
        return withLibrary(handle, [&](RegisteredModule& library) {
          for (size_t i = 0; i < library.functions.size() && i < numKernels; ++i)
            kernels[i] = reinterpret_cast<cudaKernel_t>(library.functions[i].get());
          return cudaSuccess;
        });
      },
      kernels, numKernels, handle);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaLibraryGetGlobal(void** dptr, size_t* bytes,
                                                          cudaLibrary_t handle, const char* name) {
  return api(
      "cudaLibraryGetGlobal", [&] { return global(dptr, bytes, handle, name, false); }, dptr, bytes,
      handle, name);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaLibraryGetManaged(void** dptr, size_t* bytes,
                                                           cudaLibrary_t handle, const char* name) {
  return api(
      "cudaLibraryGetManaged", [&] { return global(dptr, bytes, handle, name, true); }, dptr, bytes,
      handle, name);
}

// No device has unified function pointers (cudaDevAttr... unifiedFunctionPointers is 0), so
// there are none to find, as CUDA answers on such a system.
DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaLibraryGetUnifiedFunction(void** fptr,
                                                                   cudaLibrary_t handle,
                                                                   const char* symbol) {
  return api(
      "cudaLibraryGetUnifiedFunction",
      [&] {
        if (!fptr || !symbol)
          return cudaErrorInvalidValue;
        return withLibrary(handle, [](RegisteredModule&) { return cudaErrorSymbolNotFound; });
      },
      fptr, handle, symbol);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaGetKernel(cudaKernel_t* kernel, const void* entryFunc) {
  return api(
      "cudaGetKernel",
      [&] {
        if (!kernel)
          return cudaErrorInvalidValue;
        const RegisteredFunction* function = Registry::instance().function(entryFunc);
        if (!function)
          return cudaErrorInvalidDeviceFunction;
        *kernel = reinterpret_cast<cudaKernel_t>(const_cast<RegisteredFunction*>(function));
        return cudaSuccess;
      },
      kernel, entryFunc);
}

// A kernel's settings are the same on every device here (each device runs the same compiled
// kernel), so the device is checked and the setting applies as cudaFuncSetAttribute's does.
DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaKernelSetAttributeForDevice(cudaKernel_t kernel,
                                                                     cudaFuncAttribute attr,
                                                                     int value, int device) {
  return api(
      "cudaKernelSetAttributeForDevice",
      [&] {
        int count = 0;
        if (cudaError_t error = Runtime::instance().deviceCount(count))
          return error;
        if (device < 0 || device >= count) // CUDA documents no cudaErrorInvalidDevice here
          return cudaErrorInvalidValue;
        return cudaFuncSetAttribute(reinterpret_cast<const void*>(kernel), attr, value);
      },
      kernel, attr, value, device);
}
