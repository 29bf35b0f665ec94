// Reading golden files and comparing a result with a golden one: shared by the driver (nvcc
// path, through the shim or natively) and the CPU backend's test of clang's NVVM IR path.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace golden {

struct Case {
  std::vector<uint64_t> inputs;
  std::string expected;
  std::string line;
};

struct Format {
  int fractionBits, exponentBits;
};

inline Format formatNamed(const std::string& name) {
  if (name == "f16")
    return {10, 5};
  if (name == "bf16")
    return {7, 8};
  if (name == "f64")
    return {52, 11};
  return {23, 8}; // f32
}

// A value's bits in a binary format as a double (exact for every format here).
inline double decode(uint64_t bits, Format f) {
  int width = 1 + f.exponentBits + f.fractionBits;
  bool negative = bits >> (width - 1) & 1;
  int64_t exponent = int64_t(bits >> f.fractionBits) & ((1 << f.exponentBits) - 1);
  uint64_t fraction = bits & ((uint64_t(1) << f.fractionBits) - 1);
  int bias = (1 << (f.exponentBits - 1)) - 1;
  double magnitude;
  if (exponent == (1 << f.exponentBits) - 1)
    magnitude = fraction ? NAN : INFINITY;
  else if (exponent == 0)
    magnitude = std::ldexp(double(fraction), 1 - bias - f.fractionBits);
  else
    magnitude = std::ldexp(double(fraction | uint64_t(1) << f.fractionBits),
                           int(exponent) - bias - f.fractionBits);
  return negative ? -magnitude : magnitude;
}

// The spacing of the format's values at x.
inline double ulp(double x, Format f) {
  int bias = (1 << (f.exponentBits - 1)) - 1;
  int exponent = x == 0 ? 1 - bias : std::max(std::ilogb(x), 1 - bias);
  return std::ldexp(1.0, exponent - f.fractionBits);
}

// `~format:exact:absolute:relative:ulps`: |r - exact| <= max(absolute, relative |exact|,
// ulps ulp(exact)).
inline bool withinBound(uint64_t result, const std::string& expected) {
  std::vector<std::string> parts;
  std::stringstream fields(expected.substr(1));
  for (std::string part; std::getline(fields, part, ':');)
    parts.push_back(part);
  if (parts.size() != 5)
    return false;
  Format f = formatNamed(parts[0]);
  double exact = std::strtod(parts[1].c_str(), nullptr);
  double bound = std::max({std::strtod(parts[2].c_str(), nullptr),
                           std::strtod(parts[3].c_str(), nullptr) * std::fabs(exact),
                           std::strtod(parts[4].c_str(), nullptr) * ulp(exact, f)});
  double r = decode(result, f);
  return std::fabs(r - exact) <= bound; // false for NaN
}

inline bool matches(uint64_t result, const std::string& expected) {
  if (expected[0] == '~')
    return withinBound(result, expected);
  if (expected == "nan") // an f64 NaN, any payload
    return (result >> 52 & 0x7ff) == 0x7ff && (result & ((uint64_t(1) << 52) - 1)) != 0;
  return result == std::strtoull(expected.c_str(), nullptr, 16);
}

/// Adds the cases of a golden file, by form, and the forms in the order the file has them;
/// false if it cannot be read.
inline bool readGoldens(const char* path, std::map<std::string, std::vector<Case>>& cases,
                        std::vector<std::string>* order = nullptr) {
  std::ifstream file(path);
  if (!file)
    return false;
  for (std::string line; std::getline(file, line);) {
    if (line.empty() || line[0] == '#')
      continue;
    std::stringstream words(line);
    std::string name, word;
    words >> name;
    Case c;
    c.line = line;
    while (words >> word && word != "=")
      c.inputs.push_back(std::strtoull(word.c_str(), nullptr, 16));
    words >> c.expected;
    if (order && cases.find(name) == cases.end())
      order->push_back(name);
    cases[name].push_back(std::move(c));
  }
  return true;
}

} // namespace golden
