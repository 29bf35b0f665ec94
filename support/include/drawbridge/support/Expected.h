// A value or an error message, for libraries that the shims link (which must not see LLVM's
// llvm::Expected). Errors are plain text written for the person who must act on them.
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace drawbridge {

struct Error {
  std::string message;
};

/// A T, or the E that explains why there is none (Error by default; the backend interface uses
/// its Status, which carries a CUDA-mappable code).
template <typename T, typename E = Error> class [[nodiscard]] Expected {
public:
  Expected(T value) : state_(std::move(value)) {}
  Expected(E error) : state_(std::move(error)) {}

  explicit operator bool() const { return std::holds_alternative<T>(state_); }

  T& operator*() {
    assert(*this);
    return std::get<T>(state_);
  }
  const T& operator*() const {
    assert(*this);
    return std::get<T>(state_);
  }
  T* operator->() { return &**this; }
  const T* operator->() const { return &**this; }

  const E& error() const {
    assert(!*this);
    return std::get<E>(state_);
  }
  E takeError() && { return std::move(std::get<E>(state_)); }

private:
  std::variant<T, E> state_;
};

} // namespace drawbridge
