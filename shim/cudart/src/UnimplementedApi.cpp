// What every generated stub calls: it names the API once and fails it, so a program learns
// which call Drawbridge lacks instead of running on as if it had succeeded.
#include "Errors.h"
#include "Log.h"

namespace drawbridge::cudart {

int unimplementedApi(const char* name) {
  logErrorOnce(name, std::string("drawbridge: ") + name +
                         " is not implemented by Drawbridge's libcudart; it returns "
                         "cudaErrorNotSupported");
  return static_cast<int>(report(cudaErrorNotSupported));
}

} // namespace drawbridge::cudart
