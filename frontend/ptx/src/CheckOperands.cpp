// Operand checks: PTX requires the registers of most arithmetic and logic instructions to be as
// wide as the instruction's type (only ld/st/cvt and a few others relax this). A mismatch means
// the PTX is malformed, so it is reported here rather than papered over by the lowering.
#include "Passes.h"

#include <array>

namespace drawbridge::ptx {
namespace {

bool needsExactWidth(const Instruction& inst) {
  static constexpr std::array<std::string_view, 12> kOpcodes{
      "add", "sub", "min", "max", "and", "or", "xor", "not", "neg", "abs", "fma", "rem"};
  for (auto op : kOpcodes)
    if (inst.opcode == op)
      return !inst.types.empty();
  // mul/mad/div without .wide/.hi keep the type's width.
  if (inst.opcode == "mul" || inst.opcode == "mad" || inst.opcode == "div")
    return !inst.types.empty() && !inst.has("wide");
  return false;
}

std::optional<Error> checkFunction(const Function& f) {
  for (const auto& statement : f.body) {
    const auto* inst = std::get_if<Instruction>(&statement);
    if (!inst)
      continue;
    if (inst->guard && inst->guard->ref.kind == RefKind::Local &&
        f.locals[inst->guard->ref.index].type != ScalarType::Pred)
      return Error{toString(inst->guard->loc) + ": guard '" + inst->guard->name +
                   "' is not a .pred register"};
    // Only predicates have a logical complement; a lowering given '!' on anything else would
    // build IR that does not verify.
    for (const auto& op : inst->operands)
      if (op.negated && (op.kind != Operand::Kind::Register || op.ref.kind != RefKind::Local ||
                         f.locals[op.ref.index].type != ScalarType::Pred))
        return Error{toString(op.loc) + ": operand '!" + op.name + "' of '" + inst->spelling() +
                     "' negates something other than a .pred register; only predicates take '!'"};
    if (!needsExactWidth(*inst))
      continue;
    unsigned width = bitWidth(inst->types.front());
    for (const auto& op : inst->operands) {
      if (op.kind != Operand::Kind::Register || op.ref.kind != RefKind::Local)
        continue;
      const Variable& reg = f.locals[op.ref.index];
      if (bitWidth(reg.type) != width)
        return Error{toString(op.loc) + ": operand '" + op.name + "' is ." +
                     std::string(name(reg.type)) + " but '" + inst->spelling() + "' works on " +
                     std::to_string(width) + "-bit values"};
    }
  }
  return std::nullopt;
}

} // namespace

std::optional<Error> checkOperands(const Module& module) {
  for (const auto& f : module.functions)
    if (f.hasBody)
      if (auto error = checkFunction(f))
        return error;
  return std::nullopt;
}

std::optional<Error> runFrontPasses(Module& module) {
  if (auto error = resolveSymbols(module))
    return error;
  return checkOperands(module);
}

} // namespace drawbridge::ptx
