#include "SharedLibrary.h"

#include <dlfcn.h>

namespace drawbridge::cudart::test {

SharedLibrary::SharedLibrary(const std::string& path) {
  handle_ = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle_)
    error_ = dlerror();
}

SharedLibrary::~SharedLibrary() {
  if (handle_)
    dlclose(handle_);
}

void* SharedLibrary::rawSymbol(const char* name, const char* version) const {
  if (!handle_)
    return nullptr;
  return version ? dlvsym(handle_, name, version) : dlsym(handle_, name);
}

const SharedLibrary& shim() {
  static SharedLibrary library(DRAWBRIDGE_SHIM_CUDART);
  return library;
}

} // namespace drawbridge::cudart::test
