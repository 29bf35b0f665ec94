// Device printf: walks the format and reads each argument from clang's packed buffer.
#include "Runtime.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>

namespace drawbridge::backend::cpu {

namespace {

class ArgumentReader {
public:
  explicit ArgumentReader(const char* base) : base_(base) {}
  template <typename T> T next() {
    offset_ = (offset_ + alignof(T) - 1) / alignof(T) * alignof(T);
    T value;
    std::memcpy(&value, base_ + offset_, sizeof(T));
    offset_ += sizeof(T);
    return value;
  }

private:
  const char* base_;
  size_t offset_ = 0;
};

template <typename T> void append(std::string& out, const std::string& spec, T value) {
  char buffer[512];
  int n = std::snprintf(buffer, sizeof buffer, spec.c_str(), value);
  if (n < 0)
    return;
  if (size_t(n) < sizeof buffer) {
    out.append(buffer, size_t(n));
    return;
  }
  std::string large(size_t(n) + 1, '\0');
  std::snprintf(large.data(), large.size(), spec.c_str(), value);
  out.append(large.data(), size_t(n));
}

} // namespace

int formatDevicePrintf(std::string& out, const char* format, const char* arguments) {
  ArgumentReader reader(arguments);
  for (const char* p = format; *p;) {
    if (*p != '%') {
      out.push_back(*p++);
      continue;
    }
    if (p[1] == '%') {
      out.push_back('%');
      p += 2;
      continue;
    }
    const char* start = p++;
    while (*p && std::strchr("-+ #0", *p))
      ++p;
    while (*p && (std::isdigit(static_cast<unsigned char>(*p)) || *p == '.'))
      ++p;
    int longs = 0;
    bool half = false;
    while (*p && std::strchr("hlLqjzt", *p)) {
      longs += (*p == 'l' || *p == 'L' || *p == 'q' || *p == 'j' || *p == 'z' || *p == 't');
      half |= *p == 'h';
      ++p;
    }
    char conversion = *p ? *p++ : '\0';
    // Rebuild the directive without length modifiers; the value is passed at its full width.
    std::string spec(start, size_t(p - start));
    spec.erase(std::remove_if(spec.begin() + 1, spec.end() - 1,
                              [](char c) { return std::strchr("hlLqjzt", c) != nullptr; }),
               spec.end() - 1);
    switch (conversion) {
    case 'd':
    case 'i':
      if (longs)
        append(out, spec.insert(spec.size() - 1, "ll"), reader.next<long long>());
      else
        append(out, spec, half ? int(short(reader.next<int>())) : reader.next<int>());
      break;
    case 'u':
    case 'x':
    case 'X':
    case 'o':
    case 'c':
      if (longs)
        append(out, spec.insert(spec.size() - 1, "ll"), reader.next<unsigned long long>());
      else
        append(out, spec, reader.next<unsigned>());
      break;
    case 'f':
    case 'F':
    case 'e':
    case 'E':
    case 'g':
    case 'G':
    case 'a':
    case 'A':
      append(out, spec, reader.next<double>());
      break;
    case 's': {
      const char* text = reader.next<const char*>();
      append(out, spec, text ? text : "(null)");
      break;
    }
    case 'p':
      append(out, spec, reader.next<void*>());
      break;
    default:
      out.append(spec);
      break;
    }
  }
  return int(out.size());
}

} // namespace drawbridge::backend::cpu
