// What every generated stub calls: it names the API once and fails it, so a program learns
// which call Drawbridge lacks instead of running on as if it had succeeded.
#include "Errors.h"

#include <cstdio>
#include <mutex>
#include <set>
#include <string>

namespace drawbridge::cudart {

int unimplementedApi(const char* name) {
  static std::mutex mutex;
  static std::set<std::string> reported;
  {
    std::lock_guard lock(mutex);
    if (reported.insert(name).second)
      std::fprintf(stderr,
                   "drawbridge: %s is not implemented by Drawbridge's libcudart; it returns "
                   "cudaErrorNotSupported\n",
                   name);
  }
  return static_cast<int>(report(cudaErrorNotSupported));
}

} // namespace drawbridge::cudart
