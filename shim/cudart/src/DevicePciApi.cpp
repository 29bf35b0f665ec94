// Devices by PCI address: cudaDeviceGetPCIBusId and cudaDeviceGetByPCIBusId. Programs that
// group devices (ggml, NCCL, MPI launchers) ask for it. A Drawbridge device is not a PCI
// function; it answers the address its cudaDevAttrPci{Domain,Bus,Device}Id attributes give
// (0000:00:00.0 for the CPU backend's one device), so the string and the attributes agree.
#include "Api.h"
#include "DeviceProperties.h"
#include "Export.h"
#include "Runtime.h"

#include <cstdio>

using namespace drawbridge::cudart;

namespace {

struct PciAddress {
  unsigned domain = 0, bus = 0, device = 0;
  bool operator==(const PciAddress&) const = default;
};

cudaError_t addressOf(int ordinal, PciAddress& address) {
  drawbridge::backend::Device* d = nullptr;
  if (cudaError_t error = Runtime::instance().device(ordinal, d))
    return error;
  auto get = [&](cudaDeviceAttr attr) {
    return static_cast<unsigned>(attributeValue(d->properties(), attr).value_or(0));
  };
  address = {get(cudaDevAttrPciDomainId), get(cudaDevAttrPciBusId), get(cudaDevAttrPciDeviceId)};
  return cudaSuccess;
}

// NVIDIA's three spellings, all hexadecimal: domain:bus:device.function, domain:bus:device and
// bus:device.function (domain 0). Anything after them makes the string malformed.
bool parseAddress(const char* text, PciAddress& address) {
  unsigned a = 0, b = 0, c = 0, function = 0;
  int used = -1;
  auto whole = [&] { return used >= 0 && text[used] == '\0'; };
  if (std::sscanf(text, "%x:%x:%x.%x%n", &a, &b, &c, &function, &used) == 4 && whole()) {
    address = {a, b, c};
    return true;
  }
  used = -1;
  if (std::sscanf(text, "%x:%x:%x%n", &a, &b, &c, &used) == 3 && whole()) {
    address = {a, b, c};
    return true;
  }
  used = -1;
  if (std::sscanf(text, "%x:%x.%x%n", &b, &c, &function, &used) == 3 && whole()) {
    address = {0, b, c};
    return true;
  }
  return false;
}

} // namespace

// NVIDIA's form, "%04x:%02x:%02x.0" (domain:bus:device.function), in at most len bytes.
DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaDeviceGetPCIBusId(char* pciBusId, int len, int device) {
  return api(
      "cudaDeviceGetPCIBusId",
      [&] {
        if (!pciBusId || len <= 0)
          return cudaErrorInvalidValue;
        PciAddress address;
        if (cudaError_t error = addressOf(device, address))
          return error;
        std::snprintf(pciBusId, static_cast<size_t>(len), "%04x:%02x:%02x.0", address.domain,
                      address.bus, address.device);
        return cudaSuccess;
      },
      pciBusId, len, device);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaDeviceGetByPCIBusId(int* device, const char* pciBusId) {
  return api(
      "cudaDeviceGetByPCIBusId",
      [&] {
        PciAddress wanted;
        if (!device || !pciBusId || !parseAddress(pciBusId, wanted))
          return cudaErrorInvalidValue;
        int count = 0;
        if (cudaError_t error = Runtime::instance().deviceCount(count))
          return error;
        for (int ordinal = 0; ordinal < count; ++ordinal) {
          PciAddress address;
          if (cudaError_t error = addressOf(ordinal, address))
            return error;
          if (address == wanted) {
            *device = ordinal;
            return cudaSuccess;
          }
        }
        return cudaErrorInvalidDevice;
      },
      device, pciBusId);
}
