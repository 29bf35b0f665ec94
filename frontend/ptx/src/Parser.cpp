// Recursive-descent parser for PTX modules. It keeps the text's structure (scopes, labels,
// declarations in order) and classifies each instruction's modifiers into types, state space and
// vector width; symbol resolution and operand checks run afterwards as passes.
#include "drawbridge/ptx/Parser.h"

#include "Lexer.h"
#include "Passes.h"

#include <bit>
#include <charconv>
#include <cmath>
#include <cstring>

namespace drawbridge::ptx {
namespace {

// Thrown only inside this file and caught in parseSyntax(): a parse stops at its first error.
struct ParseFailure {
  std::string message;
};

std::string quote(const Token& tok) {
  if (tok.kind == Token::Kind::End)
    return "end of file";
  return "'" + std::string(tok.text) + "'";
}

class Parser {
public:
  explicit Parser(std::string_view text) : lexer_(text) { tok_ = lexer_.next(); }

  Module parseModule();

private:
  // Token handling.
  const Token& peek() const { return tok_; }
  Token take() {
    Token t = tok_;
    tok_ = lexer_.next();
    return t;
  }
  [[noreturn]] void fail(const Token& at, std::string_view expected) const {
    std::string where = toString(at.loc);
    if (at.kind == Token::Kind::Invalid)
      throw ParseFailure{where + ": unexpected character " + quote(at) + "; expected " +
                         std::string(expected)};
    throw ParseFailure{where + ": expected " + std::string(expected) + ", found " + quote(at)};
  }
  void expect(char c) {
    if (!peek().is(c))
      fail(peek(), std::string("'") + c + "'");
    take();
  }
  bool accept(char c) {
    if (!peek().is(c))
      return false;
    take();
    return true;
  }
  bool acceptDot(std::string_view word) {
    if (!peek().isDot(word))
      return false;
    take();
    return true;
  }
  std::string identifier(std::string_view what) {
    if (peek().kind != Token::Kind::Identifier)
      fail(peek(), what);
    return std::string(take().text);
  }
  uint64_t integer(std::string_view what);
  int64_t signedInteger(std::string_view what);

  // Module level.
  void parseVersion(Module& m);
  void parseTarget(Module& m);
  void parseFile(Module& m);
  void skipLocation(const Token& directive);
  void skipSection();
  void parseFunction(Module& m, Linkage linkage, bool isKernel, SourceLocation loc);
  std::vector<Variable> parseParamList(bool allowUnnamed);
  Variable parseParam(bool allowUnnamed);
  void parsePerformanceDirectives(Function& f);
  void parseBody(Function& f);
  CallPrototype parsePrototype(std::string name, SourceLocation loc);

  // Declarations.
  Variable parseVariable(StateSpace space, SourceLocation loc, bool allowUnnamed = false);
  void parseInitializer(Variable& v);
  void parseInitializerElement(Variable& v);

  // Instructions.
  Instruction parseInstruction();
  Instruction parseInstructionAfter(std::optional<Operand> guard, const Token& opcode);
  Operand parseOperand();
  Operand parseAddress();

  Lexer lexer_;
  Token tok_;
};

uint64_t Parser::integer(std::string_view what) {
  if (peek().kind != Token::Kind::Integer)
    fail(peek(), what);
  Token t = take();
  std::string_view text = t.text;
  if (!text.empty() && (text.back() == 'U' || text.back() == 'u'))
    text.remove_suffix(1);
  int base = 10;
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    base = 16;
    text.remove_prefix(2);
  } else if (text.size() > 2 && text[0] == '0' && (text[1] == 'b' || text[1] == 'B')) {
    base = 2;
    text.remove_prefix(2);
  } else if (text.size() > 1 && text[0] == '0') {
    base = 8;
    text.remove_prefix(1);
  }
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value, base);
  if (ec != std::errc() || end != text.data() + text.size())
    throw ParseFailure{toString(t.loc) + ": integer literal " + quote(t) +
                       " is malformed or does not fit in 64 bits"};
  return value;
}

int64_t Parser::signedInteger(std::string_view what) {
  bool negative = accept('-');
  uint64_t value = integer(what);
  return negative ? static_cast<int64_t>(0 - value) : static_cast<int64_t>(value);
}

Module Parser::parseModule() {
  Module m;
  while (peek().kind != Token::Kind::End) {
    Token t = peek();
    if (t.kind != Token::Kind::Dot)
      fail(t, "a directive (.version, .target, .entry, .func, a variable, ...)");
    if (t.isDot("version")) {
      take();
      parseVersion(m);
      continue;
    }
    if (t.isDot("target")) {
      take();
      parseTarget(m);
      continue;
    }
    if (t.isDot("address_size")) {
      take();
      m.addressSize = static_cast<uint32_t>(integer("an address size (32 or 64)"));
      if (m.addressSize != 64 && m.addressSize != 32)
        throw ParseFailure{toString(t.loc) + ": .address_size must be 32 or 64"};
      continue;
    }
    if (t.isDot("file")) {
      take();
      parseFile(m);
      continue;
    }
    if (t.isDot("loc")) {
      take();
      skipLocation(t);
      continue;
    }
    if (t.isDot("pragma")) {
      take();
      if (peek().kind != Token::Kind::String)
        fail(peek(), "a string after .pragma");
      take();
      expect(';');
      continue;
    }
    if (t.isDot("section")) {
      take();
      skipSection();
      continue;
    }
    Linkage linkage = Linkage::Internal;
    if (acceptDot("visible"))
      linkage = Linkage::Visible;
    else if (acceptDot("extern"))
      linkage = Linkage::Extern;
    else if (acceptDot("weak"))
      linkage = Linkage::Weak;
    else if (acceptDot("common"))
      linkage = Linkage::Common;
    Token what = peek();
    if (what.isDot("entry") || what.isDot("func")) {
      take();
      parseFunction(m, linkage, what.isDot("entry"), what.loc);
      continue;
    }
    if (what.kind == Token::Kind::Dot) {
      if (auto space = parseStateSpace(what.text.substr(1));
          space && (*space == StateSpace::Global || *space == StateSpace::Shared ||
                    *space == StateSpace::Const || *space == StateSpace::Local)) {
        take();
        Variable v = parseVariable(*space, what.loc);
        v.linkage = linkage;
        expect(';');
        m.globals.push_back(std::move(v));
        continue;
      }
    }
    fail(what, "a module directive (.entry, .func, .global, .shared, .const, .local)");
  }
  return m;
}

void Parser::parseVersion(Module& m) {
  Token t = take();
  std::string_view text = t.text;
  size_t dot = text.find('.');
  if (t.kind != Token::Kind::Float || dot == std::string_view::npos)
    fail(t, "a version such as 9.0");
  auto major = text.substr(0, dot), minor = text.substr(dot + 1);
  std::from_chars(major.data(), major.data() + major.size(), m.versionMajor);
  std::from_chars(minor.data(), minor.data() + minor.size(), m.versionMinor);
  if (m.versionMajor > 9 || (m.versionMajor == 9 && m.versionMinor > 0))
    throw ParseFailure{toString(t.loc) + ": PTX ISA " + std::string(text) +
                       " is newer than this frontend supports (up to 9.0)"};
}

void Parser::parseTarget(Module& m) {
  m.target = identifier("a target such as sm_80");
  while (accept(','))
    m.targetOptions.push_back(identifier("a target option"));
}

void Parser::parseFile(Module& m) {
  SourceLocation at = peek().loc;
  uint64_t index = integer("a file index");
  if (peek().kind != Token::Kind::String)
    fail(peek(), "a file name string");
  std::string_view quoted = take().text;
  // Indices are small in practice; a bound keeps a malformed one from allocating gigabytes.
  if (index > 100000)
    throw ParseFailure{toString(at) + ": .file index " + std::to_string(index) + " is too large"};
  if (m.files.size() <= index)
    m.files.resize(index + 1);
  m.files[index] = std::string(quoted.substr(1, quoted.size() - 2));
  // Optional timestamp and size.
  while (accept(','))
    integer("a .file timestamp or size");
}

void Parser::skipLocation(const Token& directive) {
  // .loc ends at the end of its line (it has no semicolon); its operands are only debug info.
  while (peek().kind != Token::Kind::End && peek().loc.line == directive.loc.line)
    take();
}

void Parser::skipSection() {
  // .section .debug_xxx { ... }: DWARF that nvcc -G emits; it has no bearing on the code.
  if (peek().kind != Token::Kind::Dot)
    fail(peek(), "a section name such as .debug_info");
  take();
  expect('{');
  int depth = 1;
  while (depth > 0) {
    Token t = take();
    if (t.kind == Token::Kind::End)
      fail(t, "'}' to close the .section");
    if (t.kind == Token::Kind::Invalid)
      fail(t, "debug data in the .section");
    depth += t.is('{') ? 1 : t.is('}') ? -1 : 0;
  }
}

Variable Parser::parseParam(bool allowUnnamed) {
  Token t = peek();
  if (!t.isDot("param") && !t.isDot("reg"))
    fail(t, "'.param'");
  take();
  return parseVariable(t.isDot("reg") ? StateSpace::Reg : StateSpace::Param, t.loc, allowUnnamed);
}

std::vector<Variable> Parser::parseParamList(bool allowUnnamed) {
  std::vector<Variable> params;
  expect('(');
  if (accept(')'))
    return params;
  do
    params.push_back(parseParam(allowUnnamed));
  while (accept(','));
  expect(')');
  return params;
}

void Parser::parsePerformanceDirectives(Function& f) {
  while (true) {
    Token t = peek();
    auto dims = [&](std::vector<uint32_t>& out) {
      take();
      do
        out.push_back(static_cast<uint32_t>(integer("a thread count")));
      while (accept(','));
    };
    if (t.isDot("maxntid")) {
      dims(f.maxntid);
    } else if (t.isDot("reqntid")) {
      dims(f.reqntid);
    } else if (t.isDot("minnctapersm")) {
      take();
      f.minnctapersm = static_cast<uint32_t>(integer("a block count"));
    } else if (t.isDot("maxnctapersm")) {
      take();
      integer("a block count"); // deprecated, and only a hint
    } else if (t.isDot("maxnreg")) {
      take();
      f.maxnreg = static_cast<uint32_t>(integer("a register count"));
    } else if (t.isDot("reqnctapercluster") || t.isDot("maxclusterrank") ||
               t.isDot("explicitcluster") || t.isDot("blocksareclusters")) {
      throw ParseFailure{toString(t.loc) + ": unsupported PTX directive '" + std::string(t.text) +
                         "' (thread-block clusters are not supported)"};
    } else if (t.isDot("noreturn")) {
      take();
      f.noReturn = true;
    } else if (t.isDot("pragma")) {
      take();
      if (peek().kind != Token::Kind::String)
        fail(peek(), "a string after .pragma");
      take();
      expect(';');
    } else {
      return;
    }
  }
}

void Parser::parseFunction(Module& m, Linkage linkage, bool isKernel, SourceLocation loc) {
  Function f;
  f.loc = loc;
  f.isKernel = isKernel;
  f.linkage = linkage;
  if (!isKernel && peek().is('('))
    f.returns = parseParamList(false);
  f.name = identifier("a function name");
  if (peek().is('('))
    f.params = parseParamList(false);
  parsePerformanceDirectives(f);
  if (accept(';')) {
    m.functions.push_back(std::move(f));
    return;
  }
  if (!peek().is('{'))
    fail(peek(), "'{' or ';' after the function's parameters");
  f.hasBody = true;
  parseBody(f);
  m.functions.push_back(std::move(f));
}

CallPrototype Parser::parsePrototype(std::string name, SourceLocation loc) {
  CallPrototype p;
  p.name = std::move(name);
  p.loc = loc;
  if (peek().is('('))
    p.returns = parseParamList(true);
  if (peek().kind != Token::Kind::Identifier || peek().text != "_")
    fail(peek(), "'_' in .callprototype");
  take();
  if (peek().is('('))
    p.params = parseParamList(true);
  expect(';');
  return p;
}

void Parser::parseBody(Function& f) {
  expect('{');
  int depth = 1;
  f.body.emplace_back(ScopeBegin{});
  while (depth > 0) {
    Token t = peek();
    if (t.kind == Token::Kind::End)
      fail(t, "'}' to close the body of '" + f.name + "'");
    if (t.is('{')) {
      take();
      ++depth;
      f.body.emplace_back(ScopeBegin{});
      continue;
    }
    if (t.is('}')) {
      take();
      --depth;
      f.body.emplace_back(ScopeEnd{});
      continue;
    }
    if (t.kind == Token::Kind::Dot) {
      take();
      if (t.isDot("loc")) {
        skipLocation(t);
        continue;
      }
      if (t.isDot("pragma")) {
        if (peek().kind != Token::Kind::String)
          fail(peek(), "a string after .pragma");
        take();
        expect(';');
        continue;
      }
      auto space = parseStateSpace(t.text.substr(1));
      if (!space || *space == StateSpace::Generic || *space == StateSpace::Sreg)
        throw ParseFailure{toString(t.loc) + ": unsupported PTX directive '" + std::string(t.text) +
                           "' in a function body"};
      Variable v = parseVariable(*space, t.loc);
      // .reg .b32 %a, %b, %c; declares several registers at once.
      while (accept(',')) {
        Variable more = v;
        more.loc = peek().loc;
        more.name = identifier("a register name");
        more.rangeCount = 0;
        if (accept('<')) {
          more.rangeCount = static_cast<uint32_t>(integer("a register count"));
          expect('>');
        }
        f.body.emplace_back(Declaration{static_cast<uint32_t>(f.locals.size())});
        f.locals.push_back(std::move(v));
        v = std::move(more);
      }
      expect(';');
      f.body.emplace_back(Declaration{static_cast<uint32_t>(f.locals.size())});
      f.locals.push_back(std::move(v));
      continue;
    }
    if (t.kind == Token::Kind::Identifier) {
      Token name = take();
      if (accept(':')) {
        if (peek().isDot("callprototype")) {
          take();
          f.prototypes.push_back(parsePrototype(std::string(name.text), name.loc));
          continue;
        }
        f.body.emplace_back(Label{std::string(name.text), name.loc});
        continue;
      }
      // Not a label: an instruction whose opcode we already took.
      f.body.emplace_back(parseInstructionAfter(std::nullopt, name));
      continue;
    }
    if (t.is('@')) {
      f.body.emplace_back(parseInstruction());
      continue;
    }
    fail(t, "an instruction, a label, a declaration or '}'");
  }
}

Variable Parser::parseVariable(StateSpace space, SourceLocation loc, bool allowUnnamed) {
  Variable v;
  v.space = space;
  v.loc = loc;
  bool haveType = false;
  while (peek().kind == Token::Kind::Dot) {
    Token t = take();
    std::string_view word = t.text.substr(1);
    if (word == "align") {
      uint64_t align = integer("an alignment");
      if (align == 0 || (align & (align - 1)) || align > 4096)
        throw ParseFailure{toString(t.loc) + ": alignment must be a power of two up to 4096"};
      v.alignment = static_cast<uint32_t>(align);
    } else if (word == "v2" || word == "v4" || word == "v8") {
      v.vectorWidth = static_cast<uint32_t>(word[1] - '0');
    } else if (word == "ptr" || word == "global" || word == "shared" || word == "const" ||
               word == "local") {
      // .param .u64 .ptr .global .align 4 name: a pointer-attribute hint on kernel parameters.
    } else if (word == "attribute") {
      // .global .attribute(.managed): a __managed__ variable. Device memory is host memory on
      // Drawbridge's backends, so it is an ordinary global.
      expect('(');
      if (!acceptDot("managed"))
        fail(peek(), ".managed in .attribute(...)");
      expect(')');
    } else if (auto type = parseScalarType(word)) {
      v.type = *type;
      haveType = true;
    } else {
      fail(t, "a type, .align or .v2/.v4 in a declaration");
    }
  }
  if (!haveType)
    fail(peek(), "a type such as .b32 in the declaration");
  if (allowUnnamed && peek().kind == Token::Kind::Identifier && peek().text == "_") {
    take();
    v.name = "_";
  } else {
    v.name = identifier("a variable name");
  }
  if (accept('<')) {
    uint64_t count = integer("a register count");
    if (count > (1u << 24))
      throw ParseFailure{toString(v.loc) + ": register range of " + std::to_string(count) +
                         " is too large"};
    v.rangeCount = static_cast<uint32_t>(count);
    expect('>');
  }
  while (accept('[')) {
    if (accept(']')) {
      v.dimensions.push_back(0);
      continue;
    }
    uint64_t extent = integer("an array size");
    if (extent > (uint64_t(1) << 34))
      throw ParseFailure{toString(v.loc) + ": array '" + v.name + "' is too large"};
    v.dimensions.push_back(extent);
    expect(']');
  }
  if (v.elementCount() > (uint64_t(1) << 34))
    throw ParseFailure{toString(v.loc) + ": array '" + v.name + "' is too large"};
  if (accept('=')) {
    parseInitializer(v);
    // `.u32 a[] = {1, 2, 3}` takes its extent from the initializer.
    if (v.dimensions.size() == 1 && v.dimensions[0] == 0)
      v.dimensions[0] = (v.initializer.size() + v.vectorWidth - 1) / v.vectorWidth;
  }
  return v;
}

void Parser::parseInitializer(Variable& v) {
  if (accept('{')) {
    if (!peek().is('}')) {
      do
        parseInitializer(v);
      while (accept(','));
    }
    expect('}');
    return;
  }
  parseInitializerElement(v);
}

uint64_t floatBitsAs(ScalarType type, double value) {
  if (type == ScalarType::F64)
    return std::bit_cast<uint64_t>(value);
  return std::bit_cast<uint32_t>(static_cast<float>(value));
}

void Parser::parseInitializerElement(Variable& v) {
  if (v.initializer.size() > (1u << 24))
    throw ParseFailure{toString(peek().loc) + ": initializer of '" + v.name + "' is too long"};
  Variable::Initializer init;
  Token t = peek();
  if (t.kind == Token::Kind::Identifier) {
    // generic(sym) or sym: the address of a variable or function.
    std::string name(take().text);
    if (name == "generic" && peek().is('(')) {
      take();
      name = identifier("a symbol in generic()");
      expect(')');
      init.generic = true;
    }
    init.kind = Variable::Initializer::Kind::Symbol;
    init.symbol = std::move(name);
    v.initializer.push_back(std::move(init));
    return;
  }
  Operand value = parseOperand();
  if (value.kind == Operand::Kind::Immediate) {
    init.bits = isFloat(v.type) ? floatBitsAs(v.type, static_cast<double>(value.value))
                                : static_cast<uint64_t>(value.value);
    init.kind =
        isFloat(v.type) ? Variable::Initializer::Kind::Float : Variable::Initializer::Kind::Integer;
  } else if (value.kind == Operand::Kind::FloatImmediate) {
    double d = value.floatIs32 ? std::bit_cast<float>(static_cast<uint32_t>(value.floatBits))
                               : std::bit_cast<double>(value.floatBits);
    init.kind = Variable::Initializer::Kind::Float;
    init.bits = floatBitsAs(v.type, d);
    if (!isFloat(v.type))
      fail(t, "an integer initializer for a variable of type ." + std::string(name(v.type)));
  } else {
    fail(t, "a constant initializer");
  }
  v.initializer.push_back(std::move(init));
}

Instruction Parser::parseInstruction() {
  expect('@');
  Operand guard;
  guard.kind = Operand::Kind::Register;
  guard.loc = peek().loc;
  guard.negated = accept('!');
  guard.name = identifier("a predicate register after '@'");
  if (peek().kind != Token::Kind::Identifier)
    fail(peek(), "an instruction opcode");
  Token opcode = take();
  return parseInstructionAfter(std::move(guard), opcode);
}

Instruction Parser::parseInstructionAfter(std::optional<Operand> guard, const Token& opcode) {
  Instruction inst;
  inst.guard = std::move(guard);
  inst.opcode = std::string(opcode.text);
  inst.loc = opcode.loc;
  // Most instructions have up to four of each: one allocation each rather than three.
  inst.modifiers.reserve(4);
  inst.operands.reserve(4);
  while (peek().kind == Token::Kind::Dot) {
    std::string word(take().text.substr(1));
    if (auto type = parseScalarType(word))
      inst.types.push_back(*type);
    else if (word == "v2" || word == "v4" || word == "v8")
      inst.vectorWidth = static_cast<uint32_t>(word[1] - '0');
    else if (auto space = parseStateSpace(word);
             space && *space != StateSpace::Reg && *space != StateSpace::Sreg)
      inst.space = *space;
    inst.modifiers.push_back(std::move(word));
  }
  if (!peek().is(';')) {
    do
      inst.operands.push_back(parseOperand());
    while (accept(','));
  }
  expect(';');
  return inst;
}

Operand Parser::parseAddress() {
  Operand op;
  op.kind = Operand::Kind::Address;
  op.loc = peek().loc;
  expect('[');
  if (peek().kind == Token::Kind::Identifier) {
    op.name = std::string(take().text);
    op.baseIsRegister = op.name[0] == '%';
    if (peek().is('+')) {
      take();
      op.value = signedInteger("an offset after '+'");
    } else if (peek().is('-')) {
      op.value = signedInteger("an offset after '-'");
    }
  } else {
    op.value = signedInteger("a register, symbol or offset in the address");
  }
  // [tex, {coords}] and similar forms of texture and surface instructions.
  while (accept(','))
    op.elements.push_back(parseOperand());
  expect(']');
  return op;
}

Operand Parser::parseOperand() {
  Token t = peek();
  Operand op;
  op.loc = t.loc;
  if (t.is('['))
    return parseAddress();
  if (t.is('{') || t.is('(')) {
    char close = t.is('{') ? '}' : ')';
    take();
    op.kind = Operand::Kind::Vector;
    if (!peek().is(close)) {
      do
        op.elements.push_back(parseOperand());
      while (accept(','));
    }
    expect(close);
    return op;
  }
  if (t.is('!')) {
    take();
    op = parseOperand();
    if (op.kind != Operand::Kind::Register)
      fail(t, "a predicate register after '!'");
    op.negated = true;
    return op;
  }
  if (t.is('-') || t.kind == Token::Kind::Integer) {
    bool negative = accept('-');
    if (peek().kind == Token::Kind::Float) {
      op = parseOperand();
      if (op.floatIs32)
        op.floatBits ^= 0x80000000u;
      else
        op.floatBits ^= uint64_t(1) << 63;
      return op;
    }
    uint64_t value = integer("a number");
    op.kind = Operand::Kind::Immediate;
    op.value = negative ? static_cast<int64_t>(0 - value) : static_cast<int64_t>(value);
    return op;
  }
  if (t.kind == Token::Kind::Float) {
    take();
    op.kind = Operand::Kind::FloatImmediate;
    std::string_view text = t.text;
    char prefix = text.size() > 1 ? static_cast<char>(text[1] | 0x20) : 0;
    if (text.size() > 2 && text[0] == '0' && (prefix == 'f' || prefix == 'd')) {
      size_t digits = prefix == 'f' ? 8 : 16;
      auto hex = text.substr(2);
      uint64_t bits = 0;
      auto [end, ec] = std::from_chars(hex.data(), hex.data() + hex.size(), bits, 16);
      if (hex.size() != digits || ec != std::errc() || end != hex.data() + hex.size())
        fail(t, prefix == 'f' ? "0f followed by 8 hex digits" : "0d followed by 16 hex digits");
      op.floatBits = bits;
      op.floatIs32 = prefix == 'f';
      return op;
    }
    std::string copy(text);
    op.floatBits = std::bit_cast<uint64_t>(std::strtod(copy.c_str(), nullptr));
    return op;
  }
  if (t.kind == Token::Kind::Identifier) {
    take();
    op.name = std::string(t.text);
    op.kind = op.name == "_"      ? Operand::Kind::Sink
              : op.name[0] == '%' ? Operand::Kind::Register
                                  : Operand::Kind::Symbol;
    // %tid.x: a component written directly after the register.
    if (op.kind == Operand::Kind::Register && peek().kind == Token::Kind::Dot &&
        peek().offset == t.offset + t.text.size()) {
      std::string_view c = peek().text.substr(1);
      static constexpr std::string_view kComponents[] = {"x", "y", "z", "w"};
      for (size_t i = 0; i < 4; ++i)
        if (c == kComponents[i]) {
          op.component = static_cast<uint32_t>(i + 1);
          take();
        }
    }
    // d|p destinations; inline PTX names its registers without '%' (`x|p`).
    if (accept('|'))
      op.pairedPredicate = identifier("a predicate register after '|'");
    // sym+offset as an operand (mov.u64 %rd, sym+8)
    if (op.kind == Operand::Kind::Symbol && peek().is('+')) {
      take();
      op.kind = Operand::Kind::Address;
      op.value = signedInteger("an offset after '+'");
    }
    return op;
  }
  fail(t, "an operand");
}

} // namespace

Expected<Module> parseSyntax(std::string_view text) {
  try {
    Parser parser(text);
    return parser.parseModule();
  } catch (ParseFailure& failure) {
    return Error{std::move(failure.message)};
  }
}

Expected<Module> parse(std::string_view text) {
  auto module = parseSyntax(text);
  if (!module)
    return module;
  if (auto error = runFrontPasses(*module))
    return std::move(*error);
  return module;
}

} // namespace drawbridge::ptx
