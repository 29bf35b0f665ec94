// Every exported runtime call goes through api(): it records a failure as CUDA's last (and
// sticky) error, and with DRAWBRIDGE_TRACE=1 logs the call, its arguments and its result.
#pragma once

#include "Errors.h"

#include <cstdio>
#include <cuda_runtime_api.h>
#include <sstream>
#include <string>
#include <type_traits>

namespace drawbridge::cudart {

bool tracing();
void writeTrace(const std::string& line);

namespace detail {

inline void describe(std::ostream& os, const dim3& d) {
  os << "(" << d.x << "," << d.y << "," << d.z << ")";
}
inline void describe(std::ostream& os, const char* s) {
  if (s)
    os << '"' << s << '"';
  else
    os << "NULL";
}
template <typename T> void describe(std::ostream& os, const T& value) {
  if constexpr (std::is_pointer_v<T>) {
    if (value)
      os << reinterpret_cast<const void*>(value);
    else
      os << "NULL";
  } else if constexpr (std::is_enum_v<T>) {
    os << static_cast<long long>(value);
  } else {
    os << value;
  }
}

} // namespace detail

template <typename Body, typename... Args>
cudaError_t api(const char* name, Body&& body, const Args&... args) {
  cudaError_t result = report(body());
  if (tracing()) {
    std::ostringstream line;
    line << name << "(";
    const char* separator = "";
    ((line << separator, detail::describe(line, args), separator = ", "), ...);
    line << ") = " << errorName(result);
    writeTrace(line.str());
  }
  return result;
}

} // namespace drawbridge::cudart
