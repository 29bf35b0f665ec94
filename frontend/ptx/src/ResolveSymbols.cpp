// Symbol resolution: binds each operand's name to a local, parameter, label, variable, function
// or special register, following PTX's scoping ({ } blocks shadow outer declarations).
#include "Passes.h"
#include "SpecialRegisters.h"

#include <charconv>
#include <unordered_map>

namespace drawbridge::ptx {
namespace {

using NameMap = std::unordered_map<std::string, uint32_t>;

struct ResolveError {
  std::string message;
};

/// %r12 read as element 12 of a range named %r, if the name ends in digits after a prefix.
struct RangeElementName {
  std::string prefix;
  uint32_t index = 0;
  bool fits = true; // false when the digits overflow 32 bits: no range has that element
};

std::optional<RangeElementName> splitRangeElement(const std::string& name) {
  size_t digits = name.size();
  while (digits > 0 && name[digits - 1] >= '0' && name[digits - 1] <= '9')
    --digits;
  if (digits == name.size() || digits == 0)
    return std::nullopt;
  RangeElementName split{name.substr(0, digits)};
  auto [end, ec] = std::from_chars(name.data() + digits, name.data() + name.size(), split.index);
  split.fits = ec == std::errc();
  return split;
}

class FunctionResolver {
public:
  FunctionResolver(const NameMap& globals, const NameMap& functions, Function& f)
      : globals_(globals), functions_(functions), f_(f) {}

  void run();

private:
  void declare(uint32_t local);
  std::optional<Ref> lookup(const std::string& name) const;
  /// Names the function declares outside its body: parameters, labels, prototypes, and the
  /// module's variables and functions.
  std::optional<Ref> lookupOutsideBody(const std::string& name) const;
  Ref resolveRegister(const std::string& name, SourceLocation loc, uint32_t component) const;
  void resolve(Operand& op);
  [[noreturn]] void fail(SourceLocation loc, const std::string& message) const {
    throw ResolveError{toString(loc) + ": " + message};
  }

  const NameMap& globals_;
  const NameMap& functions_;
  Function& f_;
  std::vector<NameMap> scopes_;
  NameMap params_, returns_, labels_, prototypes_;
};

void FunctionResolver::declare(uint32_t local) {
  const Variable& v = f_.locals[local];
  auto [it, inserted] = scopes_.back().emplace(v.name, local);
  if (!inserted)
    fail(v.loc, "'" + v.name + "' is already declared in this scope");
}

std::optional<Ref> FunctionResolver::lookup(const std::string& name) const {
  for (auto scope = scopes_.rbegin(); scope != scopes_.rend(); ++scope)
    if (auto it = scope->find(name); it != scope->end())
      return Ref{RefKind::Local, it->second, 0};
  return lookupOutsideBody(name);
}

std::optional<Ref> FunctionResolver::lookupOutsideBody(const std::string& name) const {
  if (auto it = params_.find(name); it != params_.end())
    return Ref{RefKind::Param, it->second, 0};
  if (auto it = returns_.find(name); it != returns_.end())
    return Ref{RefKind::Return, it->second, 0};
  if (auto it = labels_.find(name); it != labels_.end())
    return Ref{RefKind::Label, it->second, 0};
  if (auto it = globals_.find(name); it != globals_.end())
    return Ref{RefKind::Global, it->second, 0};
  if (auto it = functions_.find(name); it != functions_.end())
    return Ref{RefKind::Function, it->second, 0};
  if (auto it = prototypes_.find(name); it != prototypes_.end())
    return Ref{RefKind::Prototype, it->second, 0};
  return std::nullopt;
}

Ref FunctionResolver::resolveRegister(const std::string& name, SourceLocation loc,
                                      uint32_t component) const {
  // A register belongs to the innermost scope that declares it, by its own name or as an element
  // of a %r<N> range: nvcc's `{ .reg .pred %p1; ... }` blocks hide the function's %p<2> there.
  // Ranges are tried first in each scope since most registers are their elements.
  auto element = splitRangeElement(name);
  const Variable* rangeTooShort = nullptr; // the innermost range that misses the element
  for (auto scope = scopes_.rbegin(); scope != scopes_.rend(); ++scope) {
    if (element) {
      if (auto it = scope->find(element->prefix); it != scope->end()) {
        const Variable& range = f_.locals[it->second];
        if (element->fits && element->index < range.rangeCount)
          return Ref{RefKind::Local, it->second, element->index};
        if (range.rangeCount != 0 && !rangeTooShort)
          rangeTooShort = &range;
      }
    }
    if (auto it = scope->find(name); it != scope->end())
      return Ref{RefKind::Local, it->second, 0};
  }
  if (auto ref = lookupOutsideBody(name))
    return *ref;
  if (auto n = environmentRegister(name)) {
    if (component)
      fail(loc, "special register '" + name + "' has no components");
    return Ref{RefKind::Special, static_cast<uint32_t>(SpecialRegister::Envreg), *n};
  }
  if (auto special = lookupSpecialRegister(name)) {
    if (special->hasComponents != (component != 0))
      fail(loc, special->hasComponents
                    ? "special register '" + name + "' needs a component (.x, .y or .z)"
                    : "special register '" + name + "' has no components");
    if (component > 3)
      fail(loc, "special register '" + name + "' has no .w component");
    return Ref{RefKind::Special, static_cast<uint32_t>(special->reg),
               component ? component - 1 : 0};
  }
  if (isUnsupportedSpecialRegister(name))
    fail(loc, "unsupported special register '" + name + "'");
  if (rangeTooShort)
    fail(loc, "register '" + name + "' is outside its declaration '" + rangeTooShort->name + "<" +
                  std::to_string(rangeTooShort->rangeCount) + ">'");
  fail(loc, "unknown register '" + name + "' in '" + f_.name + "'");
}

void FunctionResolver::resolve(Operand& op) {
  switch (op.kind) {
  case Operand::Kind::Register:
    op.ref = resolveRegister(op.name, op.loc, op.component);
    if (op.pairedPredicate)
      op.pairedRef = resolveRegister(*op.pairedPredicate, op.loc, 0);
    return;
  case Operand::Kind::Symbol:
  case Operand::Kind::Address:
    for (auto& element : op.elements) // [handle, {coordinates}] of textures and surfaces
      resolve(element);
    if (op.name.empty())
      return;
    if (op.baseIsRegister) {
      op.ref = resolveRegister(op.name, op.loc, 0);
      return;
    }
    if (auto ref = lookup(op.name)) {
      op.ref = *ref;
      // Registers may be named without '%' (`.reg .f16 low;` in inline assembly).
      if (ref->kind == RefKind::Local && f_.locals[ref->index].space == StateSpace::Reg) {
        if (op.kind == Operand::Kind::Symbol)
          op.kind = Operand::Kind::Register;
        else
          op.baseIsRegister = true;
      }
      if (op.pairedPredicate)
        op.pairedRef = resolveRegister(*op.pairedPredicate, op.loc, 0);
      return;
    }
    // WARP_SZ is PTX's one predefined constant (nvcc emits it for warpSize): an immediate
    // wherever one is allowed, unless the module declares the name itself.
    if (op.kind == Operand::Kind::Symbol && op.name == "WARP_SZ") {
      op.kind = Operand::Kind::Immediate;
      op.value = 32;
      op.name.clear();
      return;
    }
    fail(op.loc, "unknown symbol '" + op.name + "'");
  case Operand::Kind::Vector:
    for (auto& element : op.elements)
      resolve(element);
    return;
  case Operand::Kind::Sink: // `_|p`: only the predicate is written
    if (op.pairedPredicate)
      op.pairedRef = resolveRegister(*op.pairedPredicate, op.loc, 0);
    return;
  default:
    return;
  }
}

void FunctionResolver::run() {
  for (uint32_t i = 0; i < f_.params.size(); ++i)
    params_.emplace(f_.params[i].name, i);
  for (uint32_t i = 0; i < f_.returns.size(); ++i)
    returns_.emplace(f_.returns[i].name, i);
  for (uint32_t i = 0; i < f_.prototypes.size(); ++i)
    prototypes_.emplace(f_.prototypes[i].name, i);
  f_.labels.clear();
  for (const auto& statement : f_.body)
    if (const auto* label = std::get_if<Label>(&statement)) {
      if (!labels_.emplace(label->name, static_cast<uint32_t>(f_.labels.size())).second)
        fail(label->loc, "label '" + label->name + "' is defined twice");
      f_.labels.push_back(*label);
    }
  for (auto& statement : f_.body) {
    if (std::holds_alternative<ScopeBegin>(statement)) {
      scopes_.emplace_back();
    } else if (std::holds_alternative<ScopeEnd>(statement)) {
      scopes_.pop_back();
    } else if (const auto* decl = std::get_if<Declaration>(&statement)) {
      declare(decl->local);
    } else if (auto* inst = std::get_if<Instruction>(&statement)) {
      if (inst->guard)
        resolve(*inst->guard);
      for (auto& op : inst->operands)
        resolve(op);
    }
  }
}

} // namespace

std::optional<Error> resolveSymbols(Module& module) {
  NameMap globals, functions;
  for (uint32_t i = 0; i < module.globals.size(); ++i) {
    const Variable& v = module.globals[i];
    auto [it, inserted] = globals.emplace(v.name, i);
    // An .extern declaration may precede the definition; the definition wins.
    if (!inserted && v.linkage != Linkage::Extern) {
      if (module.globals[it->second].linkage != Linkage::Extern)
        return Error{toString(v.loc) + ": variable '" + v.name + "' is defined twice"};
      it->second = i;
    }
  }
  for (uint32_t i = 0; i < module.functions.size(); ++i) {
    const Function& f = module.functions[i];
    if (globals.count(f.name))
      return Error{toString(f.loc) + ": '" + f.name + "' names both a variable and a function"};
    auto [it, inserted] = functions.emplace(f.name, i);
    if (!inserted && f.hasBody) {
      if (module.functions[it->second].hasBody)
        return Error{toString(f.loc) + ": function '" + f.name + "' is defined twice"};
      it->second = i;
    }
  }
  for (auto& v : module.globals)
    for (const auto& init : v.initializer)
      if (init.kind == Variable::Initializer::Kind::Symbol && !globals.count(init.symbol) &&
          !functions.count(init.symbol))
        return Error{toString(v.loc) + ": initializer of '" + v.name + "' names unknown symbol '" +
                     init.symbol + "'"};
  try {
    for (auto& f : module.functions)
      if (f.hasBody)
        FunctionResolver(globals, functions, f).run();
  } catch (ResolveError& error) {
    return Error{std::move(error.message)};
  }
  return std::nullopt;
}

} // namespace drawbridge::ptx
