// What a program registers from its static constructors: one module per fatbin wrapper, with
// the kernels (by host stub) and the __device__/__constant__ variables (by host address) in it.
#pragma once

#include "drawbridge/backend/Backend.h"
#include "drawbridge/fatbin/Image.h"

#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace drawbridge::cudart {

struct RegisteredModule;

struct RegisteredFunction {
  RegisteredModule* module;
  const void* hostStub;
  std::string deviceName;
  // Compiled on its first launch or query (Modules.h), guarded by the module's loadMutex.
  bool resolved = false;
  backend::Kernel* kernel = nullptr;
  int kernelError = 0; // the cudaError_t of a kernel that cannot run, returned every time
  // cudaFuncSetAttribute(cudaFuncAttributeMaxDynamicSharedMemorySize); unset: CUDA's default.
  std::optional<size_t> maxDynamicShared = std::nullopt;
  int sharedCarveout = -1; // cudaFuncAttributePreferredSharedMemoryCarveout
};

struct RegisteredVariable {
  RegisteredModule* module;
  void* hostAddress;
  std::string deviceName;
  size_t size;
  bool constant;
  bool managed;
  void* deviceAddress = nullptr; // resolved when the module loads
};

// PTX a library was loaded with (cudaLibraryLoadData/FromFile): where it came from, for messages.
struct LibrarySource {
  std::string origin;
  std::string text;
};

struct RegisteredModule {
  // The program keeps the handle we return and passes it back; it must stay valid and unique.
  void* handleSlot = nullptr;
  const void* wrapper = nullptr;
  std::optional<fatbin::Image> image;
  std::string imageError; // why the fatbin could not be read, when image is empty
  std::vector<std::unique_ptr<RegisteredFunction>> functions;
  std::vector<RegisteredVariable> variables;
  bool complete = false; // __cudaRegisterFatBinaryEnd seen
  // A library (cudaLibrary_t) carries its PTX here, already chosen, instead of a fatbin image;
  // its kernels' "host stubs" are their own RegisteredFunction addresses (cudaKernel_t).
  bool library = false;
  std::vector<LibrarySource> librarySources;

  // Loaded on the first launch of one of its kernels (Modules.h); guarded by loadMutex.
  std::mutex loadMutex;
  bool loadAttempted = false;
  backend::Module* loaded = nullptr;
  int loadError = 0; // the cudaError_t of a failed load, returned by every later launch
  // Kernels the PTX frontend left out of the module, and why.
  std::map<std::string, std::string, std::less<>> unlowered;
};

class Registry {
public:
  static Registry& instance();

  void** addModule(const void* wrapper);
  RegisteredModule* module(void** handle);
  void removeModule(void** handle);

  void addFunction(void** handle, const void* hostStub, const char* deviceName);
  void addVariable(void** handle, void* hostAddress, const char* deviceName, size_t size,
                   bool constant, bool managed);

  /// Adds a library the runtime built from code a program handed it; returns its handle.
  RegisteredModule* addLibrary(std::unique_ptr<RegisteredModule> library);
  /// The library a cudaLibrary_t names, or null for anything else (a registered module too).
  RegisteredModule* library(const void* handle);

  /// A kernel by its host stub, or by its cudaKernel_t (the RegisteredFunction's address), which
  /// CUDA 13 accepts wherever a host stub goes.
  const RegisteredFunction* function(const void* hostStub) const;
  /// A variable by its host address (cudaMemcpyToSymbol and friends take the host symbol).
  const RegisteredVariable* variable(const void* hostAddress) const;
  size_t moduleCount() const;

private:
  RegisteredModule* moduleForRegistration(void** handle, const char* call, const char* deviceName);

  mutable std::mutex mutex_;
  std::vector<std::unique_ptr<RegisteredModule>> modules_;
};

} // namespace drawbridge::cudart
