// The calls nvcc's generated constructors make to register a translation unit's device code.
#include "Export.h"
#include "RegistrationAbi.h"
#include "Registry.h"

using namespace drawbridge::cudart;

DRAWBRIDGE_CUDART_EXPORT void** __cudaRegisterFatBinary(void* fatCubin) {
  return Registry::instance().addModule(fatCubin);
}

DRAWBRIDGE_CUDART_EXPORT void __cudaRegisterFatBinaryEnd(void** fatCubinHandle) {
  if (RegisteredModule* m = Registry::instance().module(fatCubinHandle))
    m->complete = true;
}

DRAWBRIDGE_CUDART_EXPORT void __cudaUnregisterFatBinary(void** fatCubinHandle) {
  Registry::instance().removeModule(fatCubinHandle);
}

DRAWBRIDGE_CUDART_EXPORT void __cudaRegisterFunction(void** fatCubinHandle, const char* hostFun,
                                                     char*, const char* deviceName, int, uint3*,
                                                     uint3*, dim3*, dim3*, int*) {
  Registry::instance().addFunction(fatCubinHandle, hostFun, deviceName);
}

DRAWBRIDGE_CUDART_EXPORT void __cudaRegisterVar(void** fatCubinHandle, char* hostVar, char*,
                                                const char* deviceName, int, size_t size,
                                                int constant, int) {
  Registry::instance().addVariable(fatCubinHandle, hostVar, deviceName, size, constant != 0,
                                   /*managed=*/false);
}

DRAWBRIDGE_CUDART_EXPORT void __cudaRegisterManagedVar(void** fatCubinHandle,
                                                       void** hostVarPtrAddress, char*,
                                                       const char* deviceName, int, size_t size,
                                                       int constant, int) {
  Registry::instance().addVariable(fatCubinHandle, hostVarPtrAddress, deviceName, size,
                                   constant != 0, /*managed=*/true);
}

// nvcc calls this for modules with managed variables; true means the module is usable.
DRAWBRIDGE_CUDART_EXPORT char __cudaInitModule(void** fatCubinHandle) {
  RegisteredModule* m = Registry::instance().module(fatCubinHandle);
  return m && m->image ? 1 : 0;
}

// nvcc's launch code asks for its kernel's cudaKernel_t as a program's cudaGetKernel does.
DRAWBRIDGE_CUDART_EXPORT cudaError_t __cudaGetKernel(cudaKernel_t* kernel, const void* hostStub) {
  return cudaGetKernel(kernel, hostStub);
}
