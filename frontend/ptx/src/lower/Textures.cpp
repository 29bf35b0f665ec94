// Texture and surface instructions on texture and surface objects (the handle in a 64-bit
// register, as nvcc emits for cudaTextureObject_t and cudaSurfaceObject_t): each becomes a call
// into the backend's software texture unit (drawbridge/backend/ImageShape.h), which looks the
// object up and returns 0 when it cannot do the access; the instruction then traps, so the
// launch fails. txq and suq ask the backend about the object; sured reduces into a surface
// element. Mipmapped fetches pass their level or gradients after the coordinates, cube fetches
// their direction. What a CPU backend has no state for (texture references, multisample
// textures, texel offsets, depth comparisons, gradients on cubes) is named as unsupported.
#include "FunctionLowering.h"
#include "drawbridge/backend/ImageShape.h"

#include <optional>

namespace drawbridge::ptx::nvvm {
namespace {

namespace abi = drawbridge::backend;

struct Geometry {
  uint32_t dims;
  bool layered;      // .a1d, .a2d, .acube: the layer index comes first among the coordinates
  bool cube = false; // .cube, .acube: the coordinates are a direction (x, y, z)
};

// The .1d/.2d/.3d/.a1d/.a2d/.cube/.acube geometry modifier; nothing for the others.
std::optional<Geometry> geometry(const Instruction& inst) {
  if (inst.has("1d"))
    return Geometry{1, false};
  if (inst.has("2d"))
    return Geometry{2, false};
  if (inst.has("3d"))
    return Geometry{3, false};
  if (inst.has("a1d"))
    return Geometry{1, true};
  if (inst.has("a2d"))
    return Geometry{2, true};
  if (inst.has("cube"))
    return Geometry{3, false, true};
  if (inst.has("acube"))
    return Geometry{3, true, true};
  return std::nullopt;
}

std::string_view geometryProblem(const Instruction& inst) {
  if (inst.has("2dms") || inst.has("a2dms"))
    return "multisample textures are not supported";
  return "the geometry is missing";
}

// A function-entry alloca, so calls inside loops do not grow the stack.
llvm::Value* scratch(FunctionLowering& L, llvm::Type* type, const char* name) {
  llvm::BasicBlock& entry = L.b().GetInsertBlock()->getParent()->getEntryBlock();
  llvm::IRBuilder<> at(&entry, entry.getFirstInsertionPt());
  return at.CreateAlloca(type, nullptr, name);
}

// `count` 32-bit words: coordinates (with a texture fetch's level or gradients) or texels.
llvm::Value* words(FunctionLowering& L, const char* name, unsigned count = 4) {
  return scratch(L, llvm::ArrayType::get(L.intType(32), count), name);
}

llvm::Value* slot(FunctionLowering& L, llvm::Value* array, unsigned i) {
  return L.b().CreateGEP(L.intType(32), array, L.b().getInt32(i));
}

// The object handle in [handle, {coordinates}] (or in [handle] for a query), or null after
// reporting why not.
llvm::Value* handle(FunctionLowering& L, const Instruction& inst, const Operand& address,
                    bool withCoordinates = true) {
  bool shaped = withCoordinates ? address.elements.size() == 1 &&
                                      address.elements[0].kind == Operand::Kind::Vector
                                : address.elements.empty() && address.value == 0;
  if (address.kind != Operand::Kind::Address || !address.baseIsRegister || !shaped) {
    L.unsupported(inst, "only texture and surface objects (a 64-bit handle in a register) are "
                        "supported, not texture or surface references");
    return nullptr;
  }
  Operand base = address;
  base.kind = Operand::Kind::Register;
  base.elements.clear();
  return L.read(base, ScalarType::B64);
}

// Calls `hook` and traps when it returns 0.
void callOrTrap(FunctionLowering& L, const char* hook, std::vector<llvm::Value*> args) {
  auto* i32 = L.intType(32);
  auto* ptr = llvm::PointerType::get(L.ctx(), 0);
  llvm::FunctionCallee callee = L.ir().getOrInsertFunction(
      hook, llvm::FunctionType::get(i32, {L.intType(64), i32, ptr, ptr}, false));
  llvm::Value* ok = L.b().CreateIsNotNull(L.b().CreateCall(callee, args));
  llvm::BasicBlock* fail = L.newBlock("image.fail");
  llvm::BasicBlock* next = L.newBlock("image.ok");
  L.b().CreateCondBr(ok, next, fail);
  L.b().SetInsertPoint(fail);
  L.b().CreateIntrinsic(llvm::Intrinsic::trap, {}, {});
  L.b().CreateUnreachable();
  L.b().SetInsertPoint(next);
}

// Stores the coordinates of {c0, c1, ...} as 32-bit words: the geometry's in words 0 to dims-1,
// a layered access's layer index (its first element, an integer) in word 3.
bool storeCoordinates(FunctionLowering& L, const Operand& vector, Geometry geometry,
                      ScalarType type, llvm::Value* array) {
  unsigned first = geometry.layered ? 1 : 0;
  if (vector.elements.size() < first + geometry.dims)
    return false;
  auto store = [&](const Operand& element, ScalarType as, unsigned word) {
    llvm::Value* c = L.read(element, as);
    if (c)
      L.b().CreateStore(L.b().CreateBitCast(c, L.intType(32)), slot(L, array, word));
    return c != nullptr;
  };
  if (geometry.layered && !store(vector.elements[0], ScalarType::S32, 3))
    return false;
  for (unsigned i = 0; i < geometry.dims; ++i)
    if (!store(vector.elements[first + i], type, i))
      return false;
  return true;
}

// The destination registers: {a, b, c, d} or one register.
std::vector<const Operand*> parts(const Operand& op) {
  std::vector<const Operand*> out;
  if (op.kind == Operand::Kind::Vector)
    for (const Operand& e : op.elements)
      out.push_back(&e);
  else
    out.push_back(&op);
  return out;
}

// Stores a tex.level's level (word 4) or a tex.grad's gradients (words 4-6 and 8-10), f32.
bool storeLevel(FunctionLowering& L, const Instruction& inst, bool grad, llvm::Value* coords) {
  auto store = [&](const Operand& value, unsigned word) {
    llvm::Value* v = L.read(value, ScalarType::F32);
    if (v)
      L.b().CreateStore(L.b().CreateBitCast(v, L.intType(32)), slot(L, coords, word));
    return v != nullptr;
  };
  if (!grad)
    return store(inst.operands[2], 4);
  for (unsigned g = 0; g < 2; ++g) {
    std::vector<const Operand*> components = parts(inst.operands[2 + g]);
    for (unsigned i = 0; i < components.size() && i < 3; ++i)
      if (!store(*components[i], 4 + 4 * g + i))
        return false;
  }
  return true;
}

// tex[.level|.grad].{1d,2d,3d,a1d,a2d,cube,acube}.v4.{f32,s32,u32}.{f32,s32} d, [t, {c}]
// [, level | , dPdx, dPdy] and tld4.{r,g,b,a}.2d.v4.dtype.f32.
void lowerTexture(FunctionLowering& L, const Instruction& inst) {
  bool gather = inst.opcode == "tld4";
  auto shapeOf = geometry(inst);
  if (!shapeOf)
    return L.unsupported(inst, geometryProblem(inst));
  // .base reads the base level, as a fetch without a level does.
  bool level = !gather && inst.has("level"), grad = !gather && inst.has("grad");
  size_t operands = 2 + (level ? 1 : 0) + (grad ? 2 : 0);
  if (inst.operands.size() > operands)
    return L.unsupported(inst, "texel offsets and depth comparisons are not supported");
  if (grad && shapeOf->cube)
    return L.unsupported(inst, "gradients on cube textures are not supported (use tex.level)");
  if (!L.expectOperands(inst, operands, operands))
    return;
  if (inst.types.size() != 2 || inst.vectorWidth != 4 || inst.operands[0].pairedPredicate)
    return L.unsupported(inst, "only the .v4 forms with 32-bit results are supported");
  ScalarType result = inst.types[0], coordinate = inst.types[1];
  uint32_t resultKind = result == ScalarType::F32   ? 0
                        : result == ScalarType::S32 ? 1
                        : result == ScalarType::U32 ? 2
                                                    : 3;
  if (resultKind == 3 || (coordinate != ScalarType::F32 && coordinate != ScalarType::S32))
    return L.unsupported(inst, "only f32, s32 and u32 results from f32 or s32 coordinates are "
                               "supported");
  uint32_t shape = shapeOf->dims | (resultKind << abi::kShapeResultShift);
  if (shapeOf->layered)
    shape |= abi::kShapeLayered;
  if (shapeOf->cube)
    shape |= abi::kShapeCube;
  if (level)
    shape |= abi::kShapeLevel;
  if (grad)
    shape |= abi::kShapeGradients;
  if (coordinate == ScalarType::S32)
    shape |= abi::kShapeIntegerCoords;
  if ((shapeOf->cube || level || grad) && coordinate != ScalarType::F32)
    return L.unsupported(inst, "cube and mipmapped fetches take f32 coordinates");
  if (gather) {
    static constexpr const char* kComponents[] = {"r", "g", "b", "a"};
    uint32_t component = 4;
    for (uint32_t c = 0; c < 4; ++c)
      if (inst.has(kComponents[c]))
        component = c;
    if (shapeOf->dims != 2 || shapeOf->layered || shapeOf->cube || component == 4 ||
        coordinate != ScalarType::F32)
      return L.unsupported(inst, "tld4 is supported on 2D textures with f32 coordinates");
    shape |= abi::kShapeGather | (component << abi::kShapeComponentShift);
  }
  const Operand& address = inst.operands[1];
  llvm::Value* object = handle(L, inst, address);
  if (!object)
    return;
  // Twelve words, as the hook takes them; those past the coordinates hold a level or gradients
  // when the shape word says so.
  llvm::Value* coords = words(L, "tex.coords", 12);
  llvm::Value* out = words(L, "tex.result");
  if (!storeCoordinates(L, address.elements[0], *shapeOf, coordinate, coords))
    return L.fail(inst, "the coordinates do not match the geometry");
  if ((level || grad) && !storeLevel(L, inst, grad, coords))
    return L.fail(inst, grad ? "cannot read the gradients" : "cannot read the level");
  callOrTrap(L, abi::kTextureHook, {object, L.b().getInt32(shape), coords, out});
  std::vector<const Operand*> destinations = parts(inst.operands[0]);
  for (unsigned i = 0; i < destinations.size() && i < 4; ++i)
    L.write(*destinations[i], L.b().CreateLoad(L.intType(32), slot(L, out, i)), result);
}

// A surface access's out-of-bounds mode: 0 .trap (the default), 1 .clamp, 2 .zero.
uint32_t boundaryMode(const Instruction& inst) {
  return inst.has("clamp") ? 1 : inst.has("zero") ? 2 : 0;
}

// The integer coordinates of [s, {x, ...}] as 32-bit words, or null after reporting why not.
llvm::Value* surfaceCoordinates(FunctionLowering& L, const Instruction& inst,
                                const Operand& address, Geometry geometry) {
  llvm::Value* coords = words(L, "surface.coords");
  if (storeCoordinates(L, address.elements[0], geometry, ScalarType::S32, coords))
    return coords;
  L.fail(inst, "the coordinates do not match the geometry");
  return nullptr;
}

// suld.b.{1d,2d,3d,a1d,a2d}[.v2|.v4].{b8,b16,b32,b64}.{trap,clamp,zero}, the matching sust.b,
// and sust.p[.v2|.v4].b32 (formatted: x in elements, the data converted to the surface's format).
void lowerSurface(FunctionLowering& L, const Instruction& inst) {
  bool store = inst.opcode == "sust";
  if (!L.expectOperands(inst, 2, 2))
    return;
  bool formatted = store && inst.has("p");
  if (!inst.has("b") && !formatted)
    return L.fail(inst, store ? "sust needs .b or .p" : "suld needs .b");
  auto shapeOf = geometry(inst);
  if (!shapeOf || shapeOf->cube)
    return L.unsupported(inst, geometryProblem(inst));
  if (inst.types.size() != 1)
    return L.unsupported(inst, "the element type is missing");
  ScalarType element = inst.types[0];
  if (formatted && element != ScalarType::B32)
    return L.fail(inst, "sust.p stores .b32 data");
  unsigned elementBytes = bitWidth(element) / 8;
  uint32_t mode = boundaryMode(inst);
  uint32_t bytes = elementBytes * inst.vectorWidth;
  uint32_t shape =
      shapeOf->dims | (mode << abi::kShapeModeShift) | (bytes << abi::kShapeBytesShift);
  if (shapeOf->layered)
    shape |= abi::kShapeLayered;
  if (formatted)
    shape |= abi::kShapeFormatted;
  const Operand& address = inst.operands[store ? 0 : 1];
  const Operand& data = inst.operands[store ? 1 : 0];
  llvm::Value* object = handle(L, inst, address);
  if (!object)
    return;
  llvm::Value* coords = surfaceCoordinates(L, inst, address, *shapeOf);
  if (!coords)
    return;
  auto* elementType = L.intType(bitWidth(element));
  auto* dataType = llvm::ArrayType::get(elementType, inst.vectorWidth);
  llvm::Value* buffer = scratch(L, dataType, "surface.data");
  std::vector<const Operand*> values = parts(data);
  if (values.size() != inst.vectorWidth)
    return L.fail(inst, "the data does not match the vector width");
  if (store) {
    for (unsigned i = 0; i < values.size(); ++i) {
      llvm::Value* v = L.read(*values[i], element);
      if (!v)
        return L.fail(inst, "cannot read the data to store");
      L.b().CreateStore(v, L.b().CreateConstGEP2_32(dataType, buffer, 0, i));
    }
  }
  callOrTrap(L, store ? abi::kSurfaceStoreHook : abi::kSurfaceLoadHook,
             {object, L.b().getInt32(shape), coords, buffer});
  if (!store)
    for (unsigned i = 0; i < values.size(); ++i)
      L.write(*values[i],
              L.b().CreateLoad(elementType, L.b().CreateConstGEP2_32(dataType, buffer, 0, i)),
              element);
}

// The query modifiers txq and suq take, and which of them suq takes.
struct QueryName {
  const char* modifier;
  abi::ImageQuery query;
  bool surface;
};
constexpr QueryName kQueries[] = {
    {"width", abi::ImageQuery::Width, true},
    {"height", abi::ImageQuery::Height, true},
    {"depth", abi::ImageQuery::Depth, true},
    {"channel_data_type", abi::ImageQuery::ChannelDataType, true},
    {"channel_order", abi::ImageQuery::ChannelOrder, true},
    {"normalized_coords", abi::ImageQuery::NormalizedCoords, false},
    {"filter_mode", abi::ImageQuery::FilterMode, false},
    {"addr_mode_0", abi::ImageQuery::AddrMode0, false},
    {"addr_mode_1", abi::ImageQuery::AddrMode1, false},
    {"addr_mode_2", abi::ImageQuery::AddrMode2, false},
    {"array_size", abi::ImageQuery::ArraySize, true},
    {"num_mipmap_levels", abi::ImageQuery::NumMipmapLevels, false},
    {"num_samples", abi::ImageQuery::NumSamples, false},
    {"force_unnormalized_coords", abi::ImageQuery::ForceUnnormalizedCoords, false},
    {"memory_layout", abi::ImageQuery::MemoryLayout, true},
};

// txq.tquery.b32 d, [t], txq.level.{width,height,depth}.b32 d, [t], level and
// suq.query.b32 d, [s] on objects.
void lowerQuery(FunctionLowering& L, const Instruction& inst) {
  bool surface = inst.opcode == "suq";
  bool level = !surface && inst.has("level");
  if (level && !inst.has("width") && !inst.has("height") && !inst.has("depth"))
    return L.fail(inst, "txq.level takes .width, .height or .depth");
  size_t operands = level ? 3 : 2;
  if (!L.expectOperands(inst, operands, operands))
    return;
  const QueryName* name = nullptr;
  for (const QueryName& q : kQueries)
    if (inst.has(q.modifier) && (q.surface || !surface))
      name = &q;
  if (!name || inst.types.size() != 1 || inst.types[0] != ScalarType::B32)
    return L.fail(inst, surface ? "suq takes .width, .height, .depth, .channel_data_type, "
                                  ".channel_order, .array_size or .memory_layout, and .b32"
                                : "the query is not one txq defines, or the type is not .b32");
  llvm::Value* object = handle(L, inst, inst.operands[1], false);
  if (!object)
    return;
  uint32_t query = static_cast<uint32_t>(name->query) | (surface ? abi::kQuerySurface : 0);
  llvm::Value* levelWord = llvm::ConstantPointerNull::get(llvm::PointerType::get(L.ctx(), 0));
  if (level) {
    llvm::Value* index = L.read(inst.operands[2], ScalarType::S32);
    if (!index)
      return L.fail(inst, "cannot read the level");
    levelWord = scratch(L, L.intType(32), "query.level");
    L.b().CreateStore(index, levelWord);
    query |= abi::kQueryLevel;
  }
  llvm::Value* out = words(L, "query.result");
  callOrTrap(L, abi::kImageQueryHook, {object, L.b().getInt32(query), levelWord, out});
  L.write(inst.operands[0], L.b().CreateLoad(L.intType(32), slot(L, out, 0)), ScalarType::B32);
}

// The operand types the PTX ISA (and ptxas) allow each operation: add 0, min 1, max 2, and 3, or
// 4. sured.p's .b32 and .b64 take their signedness from the surface's format.
bool reductionTypeValid(uint32_t op, ScalarType type, bool sampled) {
  bool minMax = op == 1 || op == 2;
  if (sampled)
    return type == ScalarType::B32 || (minMax && type == ScalarType::B64);
  switch (type) {
  case ScalarType::U32:
  case ScalarType::S32:
  case ScalarType::U64:
    return op <= 2;
  case ScalarType::S64:
    return minMax;
  case ScalarType::B32:
    return op >= 3;
  default:
    return false;
  }
}

// sured.{b,p}.{add,min,max,and,or}.{1d,2d,3d}.ctype.{trap,clamp,zero} [s, {x, ...}], c.
void lowerSurfaceReduction(FunctionLowering& L, const Instruction& inst) {
  if (!L.expectOperands(inst, 2, 2))
    return;
  bool sampled = inst.has("p");
  if (!sampled && !inst.has("b"))
    return L.fail(inst, "sured needs .b or .p");
  auto shapeOf = geometry(inst);
  if (!shapeOf || shapeOf->layered)
    return L.fail(inst, "sured takes .1d, .2d or .3d");
  static constexpr const char* kOperations[] = {"add", "min", "max", "and", "or"};
  uint32_t op = 5;
  for (uint32_t i = 0; i < 5; ++i)
    if (inst.has(kOperations[i]))
      op = i;
  ScalarType type = inst.types.size() == 1 ? inst.types[0] : ScalarType::Pred;
  if (op == 5 || !reductionTypeValid(op, type, sampled))
    return L.fail(inst, sampled ? "sured.p takes .add, .and or .or on .b32, or .min or .max on "
                                  ".b32 or .b64"
                                : "sured.b takes .add on .u32, .s32 or .u64, .min or .max on "
                                  ".u32, .s32, .u64 or .s64, or .and or .or on .b32");
  unsigned bits = bitWidth(type);
  uint32_t mode = boundaryMode(inst);
  uint32_t shape = shapeOf->dims | (mode << abi::kShapeModeShift) |
                   ((bits / 8) << abi::kShapeBytesShift) | (op << abi::kShapeReduceShift);
  if (isSigned(type))
    shape |= abi::kShapeReduceSigned;
  if (sampled)
    shape |= abi::kShapeSampleAddressed;
  const Operand& address = inst.operands[0];
  llvm::Value* object = handle(L, inst, address);
  if (!object)
    return;
  llvm::Value* coords = surfaceCoordinates(L, inst, address, *shapeOf);
  if (!coords)
    return;
  llvm::Value* value = L.read(inst.operands[1], type);
  if (!value)
    return L.fail(inst, "cannot read the operand");
  llvm::Value* operand = scratch(L, L.intType(64), "surface.operand");
  L.b().CreateStore(L.b().CreateZExt(value, L.intType(64)), operand);
  callOrTrap(L, abi::kSurfaceReduceHook, {object, L.b().getInt32(shape), coords, operand});
}

void lowerTypeTest(FunctionLowering& L, const Instruction& inst) {
  L.unsupported(inst, "texture type tests are not supported");
}

} // namespace

void registerTextures(Registry& r) {
  r["tex"] = lowerTexture;
  r["tld4"] = lowerTexture;
  r["suld"] = lowerSurface;
  r["sust"] = lowerSurface;
  r["txq"] = lowerQuery;
  r["suq"] = lowerQuery;
  r["sured"] = lowerSurfaceReduction;
  r["istypep"] = lowerTypeTest;
}

} // namespace drawbridge::ptx::nvvm
