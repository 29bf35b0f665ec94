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

template <typename T> class [[nodiscard]] Expected {
public:
  Expected(T value) : state_(std::move(value)) {}
  Expected(Error error) : state_(std::move(error)) {}

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

  const Error& error() const {
    assert(!*this);
    return std::get<Error>(state_);
  }
  Error takeError() && { return std::move(std::get<Error>(state_)); }

private:
  std::variant<T, Error> state_;
};

} // namespace drawbridge
