// Loads a shared library privately (RTLD_LOCAL), so NVIDIA's libcudart and Drawbridge's can be
// loaded side by side in one test and compared.
#pragma once

#include <string>

namespace drawbridge::cudart::test {

class SharedLibrary {
public:
  explicit SharedLibrary(const std::string& path);
  ~SharedLibrary();
  SharedLibrary(const SharedLibrary&) = delete;
  SharedLibrary& operator=(const SharedLibrary&) = delete;

  bool loaded() const { return handle_ != nullptr; }
  const std::string& error() const { return error_; }

  template <typename F> F* symbol(const char* name) const {
    return reinterpret_cast<F*>(rawSymbol(name, nullptr));
  }
  template <typename F> F* versionedSymbol(const char* name, const char* version) const {
    return reinterpret_cast<F*>(rawSymbol(name, version));
  }

private:
  void* rawSymbol(const char* name, const char* version) const;

  void* handle_ = nullptr;
  std::string error_;
};

/// Drawbridge's libcudart.so.13, loaded once for the whole test binary.
const SharedLibrary& shim();

} // namespace drawbridge::cudart::test
