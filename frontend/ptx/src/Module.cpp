// Names and sizes of PTX's types and state spaces, and the small helpers of the Module types.
#include "drawbridge/ptx/Module.h"

#include <array>
#include <utility>

namespace drawbridge::ptx {
namespace {

struct TypeInfo {
  ScalarType type;
  std::string_view name;
  unsigned bits;
};

constexpr std::array<TypeInfo, 23> kTypes{{
    {ScalarType::Pred, "pred", 1},      {ScalarType::B8, "b8", 8},
    {ScalarType::B16, "b16", 16},       {ScalarType::B32, "b32", 32},
    {ScalarType::B64, "b64", 64},       {ScalarType::B128, "b128", 128},
    {ScalarType::U8, "u8", 8},          {ScalarType::U16, "u16", 16},
    {ScalarType::U32, "u32", 32},       {ScalarType::U64, "u64", 64},
    {ScalarType::S8, "s8", 8},          {ScalarType::S16, "s16", 16},
    {ScalarType::S32, "s32", 32},       {ScalarType::S64, "s64", 64},
    {ScalarType::F16, "f16", 16},       {ScalarType::F16x2, "f16x2", 32},
    {ScalarType::BF16, "bf16", 16},     {ScalarType::BF16x2, "bf16x2", 32},
    {ScalarType::TF32, "tf32", 32},     {ScalarType::F32, "f32", 32},
    {ScalarType::F64, "f64", 64},       {ScalarType::E4M3x2, "e4m3x2", 16},
    {ScalarType::E5M2x2, "e5m2x2", 16},
}};

constexpr std::array<std::pair<StateSpace, std::string_view>, 8> kSpaces{{
    {StateSpace::Generic, "generic"},
    {StateSpace::Reg, "reg"},
    {StateSpace::Sreg, "sreg"},
    {StateSpace::Param, "param"},
    {StateSpace::Global, "global"},
    {StateSpace::Shared, "shared"},
    {StateSpace::Const, "const"},
    {StateSpace::Local, "local"},
}};

} // namespace

std::string toString(SourceLocation loc) {
  return std::to_string(loc.line) + ":" + std::to_string(loc.column);
}

unsigned bitWidth(ScalarType type) {
  return kTypes[static_cast<size_t>(type)].bits;
}

std::string_view name(ScalarType type) {
  return kTypes[static_cast<size_t>(type)].name;
}

bool isFloat(ScalarType type) {
  switch (type) {
  case ScalarType::F16:
  case ScalarType::F16x2:
  case ScalarType::BF16:
  case ScalarType::BF16x2:
  case ScalarType::TF32:
  case ScalarType::F32:
  case ScalarType::F64:
  case ScalarType::E4M3x2:
  case ScalarType::E5M2x2:
    return true;
  default:
    return false;
  }
}

bool isSigned(ScalarType type) {
  return type == ScalarType::S8 || type == ScalarType::S16 || type == ScalarType::S32 ||
         type == ScalarType::S64;
}

bool isPacked(ScalarType type) {
  return type == ScalarType::F16x2 || type == ScalarType::BF16x2 || type == ScalarType::E4M3x2 ||
         type == ScalarType::E5M2x2;
}

std::optional<ScalarType> parseScalarType(std::string_view text) {
  for (const auto& info : kTypes)
    if (info.name == text)
      return info.type;
  return std::nullopt;
}

std::string_view name(StateSpace space) {
  return kSpaces[static_cast<size_t>(space)].second;
}

std::optional<StateSpace> parseStateSpace(std::string_view text) {
  // Qualified spellings (.shared::cta) name the same space for this frontend's targets.
  if (text == "shared::cta")
    return StateSpace::Shared;
  if (text == "param::entry" || text == "param::func")
    return StateSpace::Param;
  for (const auto& [space, spelling] : kSpaces)
    if (spelling == text)
      return space;
  return std::nullopt;
}

uint64_t Variable::elementCount() const {
  uint64_t count = 1;
  for (uint64_t extent : dimensions)
    count *= extent;
  return count;
}

uint64_t Variable::sizeInBytes() const {
  unsigned bits = type == ScalarType::Pred ? 8 : bitWidth(type);
  return elementCount() * vectorWidth * (bits / 8);
}

bool Instruction::has(std::string_view modifier) const {
  for (const auto& m : modifiers)
    if (m == modifier)
      return true;
  return false;
}

std::string Instruction::spelling() const {
  std::string text = opcode;
  for (const auto& m : modifiers)
    text += "." + m;
  return text;
}

} // namespace drawbridge::ptx
