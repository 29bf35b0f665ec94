// cudaLogs*: the program's view of the runtime's error log (Log.h).
#include "Api.h"
#include "Export.h"
#include "Log.h"

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>

using namespace drawbridge::cudart;

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaLogsRegisterCallback(
    cudaLogsCallback_t callbackFunc, void* userData, cudaLogsCallbackHandle* callback_out) {
  return api(
      "cudaLogsRegisterCallback",
      [&] { return logsRegisterCallback(callbackFunc, userData, callback_out); },
      reinterpret_cast<void*>(callbackFunc), userData, callback_out);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaLogsUnregisterCallback(cudaLogsCallbackHandle callback) {
  return api(
      "cudaLogsUnregisterCallback", [&] { return logsUnregisterCallback(callback); }, callback);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaLogsCurrent(cudaLogIterator* iterator_out,
                                                     unsigned int flags) {
  return api(
      "cudaLogsCurrent",
      [&] {
        if (!iterator_out || flags != 0)
          return cudaErrorInvalidValue;
        *iterator_out = logsCurrent();
        return cudaSuccess;
      },
      iterator_out, flags);
}

DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaLogsDumpToFile(cudaLogIterator* iterator,
                                                        const char* pathToFile,
                                                        unsigned int flags) {
  return api(
      "cudaLogsDumpToFile",
      [&] {
        if (!pathToFile || flags != 0)
          return cudaErrorInvalidValue;
        std::string text;
        logsText(iterator, SIZE_MAX, text);
        std::FILE* file = std::fopen(pathToFile, "w");
        if (!file)
          return cudaErrorInvalidValue;
        bool written = std::fwrite(text.data(), 1, text.size(), file) == text.size();
        return std::fclose(file) == 0 && written ? cudaSuccess : cudaErrorInvalidValue;
      },
      iterator, pathToFile, flags);
}

// *size is the buffer's size on entry and the text's length (without its terminating NUL) on
// return; a buffer too small for even the newest entry gets nothing.
DRAWBRIDGE_CUDART_EXPORT cudaError_t cudaLogsDumpToMemory(cudaLogIterator* iterator, char* buffer,
                                                          size_t* size, unsigned int flags) {
  return api(
      "cudaLogsDumpToMemory",
      [&] {
        if (!buffer || !size || *size == 0 || flags != 0)
          return cudaErrorInvalidValue;
        std::string text;
        if (!logsText(iterator, *size - 1, text)) {
          *size = 0;
          buffer[0] = '\0';
          return cudaErrorInvalidValue;
        }
        std::memcpy(buffer, text.c_str(), text.size() + 1);
        *size = text.size();
        return cudaSuccess;
      },
      iterator, buffer, size, flags);
}
