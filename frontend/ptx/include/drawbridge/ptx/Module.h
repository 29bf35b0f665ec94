// The typed representation of a PTX module that the parser produces and the passes refine.
// Plain C++ only: the shims and tools that parse PTX must not need LLVM to do so.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace drawbridge::ptx {

struct SourceLocation {
  uint32_t line = 0;
  uint32_t column = 0;
};

/// "line:column", as every diagnostic spells a position.
std::string toString(SourceLocation loc);

/// PTX's fundamental types (the `.pred`, `.b32`, `.f16x2`, ... suffixes).
enum class ScalarType : uint8_t {
  Pred,
  B8,
  B16,
  B32,
  B64,
  B128,
  U8,
  U16,
  U32,
  U64,
  S8,
  S16,
  S32,
  S64,
  F16,
  F16x2,
  BF16,
  BF16x2,
  TF32,
  F32,
  F64,
  E4M3x2,
  E5M2x2,
};

unsigned bitWidth(ScalarType type);
bool isFloat(ScalarType type); // scalar and packed floating-point types
bool isSigned(ScalarType type);
bool isPacked(ScalarType type);         // f16x2, bf16x2, e4m3x2, e5m2x2
std::string_view name(ScalarType type); // without the dot: "u32"
std::optional<ScalarType> parseScalarType(std::string_view name);

enum class StateSpace : uint8_t { Generic, Reg, Sreg, Param, Global, Shared, Const, Local };

std::string_view name(StateSpace space);
std::optional<StateSpace> parseStateSpace(std::string_view name);

enum class Linkage : uint8_t { Internal, Visible, Extern, Weak, Common };

/// What a name in an operand denotes, once symbol resolution has run.
enum class RefKind : uint8_t {
  Unresolved,
  Local,     // a variable declared in the function body (registers included)
  Param,     // one of the function's parameters
  Return,    // one of the function's return parameters
  Global,    // a module-scope variable
  Function,  // a function, as a call target or an address
  Label,     // a branch target in the same function
  Special,   // a special register such as %tid
  Prototype, // a .callprototype of the same function, named by an indirect call
};

struct Ref {
  RefKind kind = RefKind::Unresolved;
  uint32_t index = 0;   // into the table that `kind` names
  uint32_t element = 0; // register within a %r<N> range; component of a special register
};

struct Operand {
  enum class Kind : uint8_t {
    Register,       // %r1, %tid.x, or a named register
    Immediate,      // integer literal
    FloatImmediate, // 0f3F800000, 0d..., or a decimal literal with a point or exponent
    Symbol,         // a variable, function or label name
    Address,        // [base+offset] or [offset]
    Vector,         // {a, b, ...}
    Sink,           // _
  };
  Kind kind = Kind::Immediate;
  SourceLocation loc;
  std::string name;            // register, symbol or address base; empty for [imm]
  uint32_t component = 0;      // .x/.y/.z/.w on a register (1..4), 0 when absent
  bool negated = false;        // !%p
  bool baseIsRegister = false; // Address: the base is a register, not a symbol
  int64_t value = 0;           // Immediate value; Address offset
  uint64_t floatBits = 0;      // FloatImmediate: the bits of a double, or of a float when floatIs32
  bool floatIs32 = false;
  std::vector<Operand> elements;              // Vector elements
  std::optional<std::string> pairedPredicate; // `d|p` destinations (shfl, setp)
  Ref ref;
  Ref pairedRef;
};

struct Variable {
  std::string name;
  SourceLocation loc;
  StateSpace space = StateSpace::Reg;
  ScalarType type = ScalarType::B32;
  Linkage linkage = Linkage::Internal;
  uint32_t alignment = 0;           // 0: the type's natural alignment
  uint32_t vectorWidth = 1;         // .v2/.v4 variables
  uint32_t rangeCount = 0;          // %r<N> declares N registers %r0 .. %r(N-1)
  std::vector<uint64_t> dimensions; // array extents; 0 for an unsized (`[]`) extent
  bool isArray() const { return !dimensions.empty(); }
  uint64_t elementCount() const; // 1 for a scalar; 0 when an extent is unsized
  uint64_t sizeInBytes() const;

  struct Initializer {
    enum class Kind : uint8_t { Integer, Float, Symbol } kind = Kind::Integer;
    uint64_t bits = 0;    // the element's bits (floats already in the variable's format)
    std::string symbol;   // Symbol: address of this variable or function
    bool generic = false; // generic(symbol): its generic address rather than its own space's
  };
  std::vector<Initializer> initializer;
};

struct Instruction {
  std::string opcode; // "ld"
  std::vector<std::string>
      modifiers;                 // every `.word` after the opcode, in order: "global", "v4", "f32"
  std::vector<ScalarType> types; // the modifiers that name types, in order
  StateSpace space = StateSpace::Generic; // the modifier that names a state space, if any
  uint32_t vectorWidth = 1;               // .v2/.v4/.v8
  std::optional<Operand> guard;           // @%p or @!%p
  std::vector<Operand> operands;
  SourceLocation loc;

  bool has(std::string_view modifier) const;
  /// The full spelling ("ld.global.v4.f32"), for diagnostics.
  std::string spelling() const;
};

struct Label {
  std::string name;
  SourceLocation loc;
};

struct ScopeBegin {};
struct ScopeEnd {};

/// A variable declared inside a body; it indexes Function::locals.
struct Declaration {
  uint32_t local = 0;
};

using Statement = std::variant<Instruction, Label, Declaration, ScopeBegin, ScopeEnd>;

/// `.callprototype` declarations, which indirect calls name.
struct CallPrototype {
  std::string name;
  SourceLocation loc;
  std::vector<Variable> returns;
  std::vector<Variable> params;
};

struct Function {
  std::string name;
  SourceLocation loc;
  bool isKernel = false; // .entry
  Linkage linkage = Linkage::Internal;
  std::vector<Variable> returns; // .func (.param ...) name
  std::vector<Variable> params;
  bool hasBody = false;         // false for prototypes and .extern declarations
  std::vector<Variable> locals; // every body declaration, in order, scopes flattened
  std::vector<Statement> body;
  std::vector<Label> labels; // filled by symbol resolution: every label, by Ref index
  std::vector<CallPrototype> prototypes;

  // Performance directives, kept for the backends.
  std::vector<uint32_t> maxntid, reqntid;
  std::optional<uint32_t> minnctapersm, maxnreg;
  bool noReturn = false;
};

/// A kernel the lowering left out, and why: an instruction it cannot lower, in the kernel or in
/// a function the kernel calls.
struct FunctionFailure {
  std::string function;
  std::string message;
};

struct Module {
  uint32_t versionMajor = 0, versionMinor = 0;
  std::string target;                     // "sm_80"
  std::vector<std::string> targetOptions; // e.g. "texmode_independent", "debug"
  uint32_t addressSize = 64;
  std::vector<Variable> globals;
  std::vector<Function> functions;
  std::vector<std::string> files; // .file entries, by index
};

} // namespace drawbridge::ptx
