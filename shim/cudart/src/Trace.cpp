#include "Api.h"

#include <cstdlib>
#include <mutex>

namespace drawbridge::cudart {

bool tracing() {
  static const bool enabled = [] {
    const char* value = std::getenv("DRAWBRIDGE_TRACE");
    return value && *value && std::string(value) != "0";
  }();
  return enabled;
}

void writeTrace(const std::string& line) {
  static std::mutex mutex;
  std::lock_guard lock(mutex);
  std::fprintf(stderr, "drawbridge trace: %s\n", line.c_str());
}

} // namespace drawbridge::cudart
