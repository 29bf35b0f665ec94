#include "HostRounding.h"

#include <cfenv>
#include <cmath>

#pragma STDC FENV_ACCESS ON

namespace drawbridge::backend::cpu {
namespace {

template <int Mode, typename F> double inMode(F compute) {
  int previous = std::fegetround();
  std::fesetround(Mode);
  volatile double result = compute();
  std::fesetround(previous);
  return result;
}

#define DRAWBRIDGE_F64_OPS(mode, fe)                                                               \
  extern "C" double drawbridgeF64Add##mode(double a, double b) {                                   \
    return inMode<fe>([&] { return a + b; });                                                      \
  }                                                                                                \
  extern "C" double drawbridgeF64Mul##mode(double a, double b) {                                   \
    return inMode<fe>([&] { return a * b; });                                                      \
  }                                                                                                \
  extern "C" double drawbridgeF64Div##mode(double a, double b) {                                   \
    return inMode<fe>([&] { return a / b; });                                                      \
  }                                                                                                \
  extern "C" double drawbridgeF64Fma##mode(double a, double b, double c) {                         \
    return inMode<fe>([&] { return std::fma(a, b, c); });                                          \
  }                                                                                                \
  extern "C" double drawbridgeF64Sqrt##mode(double a) {                                            \
    return inMode<fe>([&] { return std::sqrt(a); });                                               \
  }                                                                                                \
  extern "C" double drawbridgeF64Rcp##mode(double a) {                                             \
    return inMode<fe>([&] { return 1.0 / a; });                                                    \
  }

DRAWBRIDGE_F64_OPS(Rm, FE_DOWNWARD)
DRAWBRIDGE_F64_OPS(Rp, FE_UPWARD)
DRAWBRIDGE_F64_OPS(Rz, FE_TOWARDZERO)
#undef DRAWBRIDGE_F64_OPS

#define DRAWBRIDGE_F64_SYMBOLS(op, Op)                                                             \
  {"__drawbridge_f64_" op "_rm", reinterpret_cast<void*>(&drawbridgeF64##Op##Rm)},                 \
      {"__drawbridge_f64_" op "_rp", reinterpret_cast<void*>(&drawbridgeF64##Op##Rp)}, {           \
    "__drawbridge_f64_" op "_rz", reinterpret_cast<void*>(&drawbridgeF64##Op##Rz)                  \
  }

const RuntimeSymbol kSymbols[] = {
    DRAWBRIDGE_F64_SYMBOLS("add", Add),   DRAWBRIDGE_F64_SYMBOLS("mul", Mul),
    DRAWBRIDGE_F64_SYMBOLS("div", Div),   DRAWBRIDGE_F64_SYMBOLS("fma", Fma),
    DRAWBRIDGE_F64_SYMBOLS("sqrt", Sqrt), DRAWBRIDGE_F64_SYMBOLS("rcp", Rcp),
};
#undef DRAWBRIDGE_F64_SYMBOLS

} // namespace

std::span<const RuntimeSymbol> hostRoundingSymbols() {
  return kSymbols;
}

} // namespace drawbridge::backend::cpu
