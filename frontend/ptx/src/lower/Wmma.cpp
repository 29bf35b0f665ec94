// wmma.load, wmma.store and wmma.mma for the shapes nvcc emits (m16n16k16, m32n8k16, m8n32k16
// with f16, bf16, s8 or u8 inputs; m16n16k8 with tf32 inputs). The PTX ISA leaves the layout of
// wmma fragments across lanes unspecified; here a fragment is a grid of mma.sync tiles in the
// ISA's mma layouts (MmaTile.h), so wmma.mma is a few tiles of the emulation mma already has and
// wmma.load/store address each lane's own elements without any exchange. Where nvcc's f16 A and
// B fragments have more registers than elements per lane (always eight), the extra registers
// repeat the first ones, so element-wise code over the whole fragment stays consistent.
#include "Common.h"
#include "MmaTile.h"

namespace drawbridge::ptx::nvvm {
namespace {

constexpr std::string_view kWmmaForms =
    "wmma is supported as wmma.load/store/mma .sync.aligned with shapes m16n16k16, m32n8k16 and "
    "m8n32k16 (f16, bf16, s8 or u8 inputs; f16, f32 or s32 accumulators) and m16n16k8 (tf32 "
    "inputs, f32 accumulators)";

struct Geometry {
  unsigned m, n, k;
};

std::optional<Geometry> geometryOf(const Instruction& inst) {
  for (Geometry g :
       {Geometry{16, 16, 16}, Geometry{32, 8, 16}, Geometry{8, 32, 16}, Geometry{16, 16, 8}})
    if (inst.has("m" + std::to_string(g.m) + "n" + std::to_string(g.n) + "k" + std::to_string(g.k)))
      return g;
  return std::nullopt;
}

enum class Role : uint8_t { A, B, C }; // C stands for D too: both have the accumulator layout

// How one warp-wide fragment is held: tiles of one mma.sync shape (the A tiles stacked down M,
// the B tiles side by side along N, the C tiles row by row), each lane holding in each tile what
// mma.sync's layout gives it.
struct Fragment {
  Role role;
  Geometry geometry;
  MmaShape tile;
  unsigned elementBits; // of this fragment's elements, in memory as in registers
  unsigned mTiles, nTiles;
  unsigned tileRegisters; // registers one tile takes
  unsigned registers;     // in the instruction: nvcc's f16 A and B fragments repeat themselves

  unsigned perRegister() const { return 32 / elementBits; }
  unsigned tiles() const {
    return role == Role::A ? mTiles : role == Role::B ? nTiles : mTiles * nTiles;
  }
  unsigned rows() const { return role == Role::B ? geometry.k : geometry.m; }
  unsigned columns() const { return role == Role::A ? geometry.k : geometry.n; }
};

// The mma.sync tile of the inputs `input` (f16, bf16, tf32, s8 or u8) for `geometry`.
std::optional<MmaShape> tileShape(Geometry geometry, ScalarType input, bool satfinite) {
  bool tf32 = input == ScalarType::TF32;
  if (tf32 != (geometry.k == 8))
    return std::nullopt;
  unsigned m = geometry.m == 8 ? 8 : 16;
  switch (input) {
  case ScalarType::F16:
  case ScalarType::BF16:
  case ScalarType::TF32:
    if (satfinite)
      return std::nullopt;
    return MmaShape{m,     geometry.k, tf32 ? 32u : 16u, false, input, false, false, false,
                    false, false};
  case ScalarType::S8:
  case ScalarType::U8:
    return MmaShape{m,
                    geometry.k,
                    8,
                    true,
                    ScalarType::S32,
                    input == ScalarType::S8,
                    input == ScalarType::S8,
                    false,
                    false,
                    satfinite};
  default:
    return std::nullopt;
  }
}

// The fragment of `role` for inputs `input` and accumulators `accumulator` (f16, f32 or s32).
std::optional<Fragment> fragmentOf(Role role, Geometry geometry, ScalarType input,
                                   ScalarType accumulator, bool satfinite = false) {
  auto tile = tileShape(geometry, input, satfinite);
  bool accumulatorOk =
      tile && (tile->integer ? accumulator == ScalarType::S32
                             : accumulator == ScalarType::F32 ||
                                   (accumulator == ScalarType::F16 && input == ScalarType::F16));
  if (!accumulatorOk)
    return std::nullopt;
  Fragment f{role, geometry, *tile, 0, geometry.m / tile->m, geometry.n / 8, 0, 0};
  if (role == Role::C) {
    f.elementBits = accumulator == ScalarType::F16 ? 16 : 32;
    f.tileRegisters = tile->outputs() / f.perRegister();
  } else {
    f.elementBits = tile->elementBits;
    f.tileRegisters = role == Role::A ? tile->aRegisters() : tile->bRegisters();
  }
  f.registers = role != Role::C && input == ScalarType::F16 ? 8 : f.tiles() * f.tileRegisters;
  return f;
}

struct Position {
  llvm::Value* row;
  llvm::Value* column;
};

// Where element e of fragment register `index` sits in the whole matrix, for this lane
// (g = laneid / 4, t = laneid % 4): MmaTile.h's layouts, offset to the register's tile.
Position positionOf(FunctionLowering& L, const Fragment& f, llvm::Value* g, llvm::Value* t,
                    unsigned index, unsigned e) {
  auto& b = L.b();
  unsigned distinct = index % (f.tiles() * f.tileRegisters);
  unsigned tile = distinct / f.tileRegisters, r = distinct % f.tileRegisters;
  unsigned n = f.perRegister(), halves = f.tile.halves();
  auto plus = [&](llvm::Value* v, unsigned c) { return b.CreateAdd(v, b.getInt32(c)); };
  switch (f.role) {
  case Role::A: // A[g + 8(r % h)][n t + e + 4n (r / h)]
    return {plus(g, tile * f.tile.m + 8 * (r % halves)),
            plus(b.CreateMul(t, b.getInt32(n)), e + 4 * n * (r / halves))};
  case Role::B: // B[n t + e + 4n r][g]
    return {plus(b.CreateMul(t, b.getInt32(n)), e + 4 * n * r), plus(g, 8 * tile)};
  case Role::C: { // output i is C[g + 8(i/2)][2t + i%2]
    unsigned i = r * n + e;
    unsigned mTile = tile / f.nTiles, nTile = tile % f.nTiles;
    return {plus(g, mTile * f.tile.m + 8 * (i / 2)), plus(b.CreateShl(t, 1), 8 * nTile + i % 2)};
  }
  }
  return {};
}

// The address of every element of a wmma.load/store: [p] plus the element's offset in the
// .row or .col layout with the stride operand (in elements; by default the matrix's row or
// column length).
class ElementAddresses {
public:
  ElementAddresses(FunctionLowering& L, const Instruction& inst, const Fragment& f,
                   const Operand& address, const Operand* stride)
      : L_(L), f_(f), rowMajor_(inst.has("row")) {
    auto& b = L.b();
    base_ = L.address(address, inst.space);
    llvm::Value* stride32 =
        stride ? L.read(*stride, ScalarType::U32) : b.getInt32(rowMajor_ ? f.columns() : f.rows());
    stride_ = stride32 ? b.CreateZExt(stride32, b.getInt64Ty()) : nullptr;
    llvm::Value* lane = laneId(L);
    g_ = b.CreateLShr(lane, 2);
    t_ = b.CreateAnd(lane, 3);
  }
  bool ok() const { return base_ && stride_; }

  llvm::Value* operator()(unsigned index, unsigned e) {
    auto& b = L_.b();
    Position p = positionOf(L_, f_, g_, t_, index, e);
    llvm::Value* major = rowMajor_ ? p.row : p.column;
    llvm::Value* minor = rowMajor_ ? p.column : p.row;
    llvm::Value* element = b.CreateAdd(
        b.CreateMul(b.CreateZExt(major, b.getInt64Ty()), b.CreateZExt(stride_, b.getInt64Ty())),
        b.CreateZExt(minor, b.getInt64Ty()));
    return b.CreateGEP(b.getInt8Ty(), base_, b.CreateMul(element, b.getInt64(f_.elementBits / 8)));
  }

private:
  FunctionLowering& L_;
  const Fragment& f_;
  bool rowMajor_;
  llvm::Value* base_ = nullptr;
  llvm::Value* stride_ = nullptr; // i64
  llvm::Value* g_ = nullptr;      // laneid / 4
  llvm::Value* t_ = nullptr;      // laneid % 4
};

std::optional<Fragment> loadStoreFragment(FunctionLowering& L, const Instruction& inst) {
  auto geometry = geometryOf(inst);
  bool store = inst.has("store");
  Role role = inst.has("a") ? Role::A : inst.has("b") ? Role::B : Role::C;
  if (!geometry || inst.types.size() != 1 || !(inst.has("row") || inst.has("col")) ||
      (store && !inst.has("d")) || (!store && !inst.has("a") && !inst.has("b") && !inst.has("c"))) {
    L.unsupported(inst, std::string(kWmmaForms));
    return std::nullopt;
  }
  ScalarType type = inst.types[0];
  std::optional<Fragment> f;
  if (role == Role::C) {
    // The accumulator alone names no input type: any input that allows it gives its layout.
    ScalarType input = type == ScalarType::S32 ? ScalarType::S8
                       : geometry->k == 8      ? ScalarType::TF32
                                               : ScalarType::F16;
    f = fragmentOf(role, *geometry, input, type);
  } else {
    f = fragmentOf(role, *geometry, type,
                   type == ScalarType::S8 || type == ScalarType::U8 ? ScalarType::S32
                                                                    : ScalarType::F32);
  }
  if (!f)
    L.unsupported(inst, std::string(kWmmaForms));
  return f;
}

// wmma.load.{a,b,c}.sync.aligned.layout.shape{.ss}.type r, [p]{, stride} and
// wmma.store.d.sync.aligned.layout.shape{.ss}.type [p], r{, stride}.
void lowerWmmaLoadStore(FunctionLowering& L, const Instruction& inst) {
  bool store = inst.has("store");
  auto f = loadStoreFragment(L, inst);
  if (!f || !L.expectOperands(inst, 2, 3))
    return;
  const Operand& address = inst.operands[store ? 0 : 1];
  if (address.kind != Operand::Kind::Address)
    return L.fail(inst, "'" + inst.spelling() + "' needs an address in brackets");
  auto* registers = registerList(L, inst, store ? 1 : 0, f->registers, "the fragment");
  if (!registers)
    return;
  ElementAddresses at(L, inst, *f, address,
                      inst.operands.size() == 3 ? &inst.operands[2] : nullptr);
  if (!at.ok())
    return L.fail(inst, "cannot form the addresses of '" + inst.spelling() + "'");
  auto& b = L.b();
  llvm::Type* element = b.getIntNTy(f->elementBits);
  llvm::Align align(f->elementBits / 8);
  for (unsigned index = 0; index < f->registers; ++index) {
    const Operand& reg = (*registers)[index];
    if (store) {
      llvm::Value* bits = L.read(reg, ScalarType::B32);
      if (!bits)
        return L.fail(inst, "the registers of '" + inst.spelling() + "' cannot be read");
      for (unsigned e = 0; e < f->perRegister(); ++e)
        b.CreateAlignedStore(b.CreateTrunc(b.CreateLShr(bits, e * f->elementBits), element),
                             at(index, e), align);
      continue;
    }
    llvm::Value* bits = b.getInt32(0);
    for (unsigned e = 0; e < f->perRegister(); ++e)
      bits = b.CreateOr(bits,
                        b.CreateShl(b.CreateZExt(b.CreateAlignedLoad(element, at(index, e), align),
                                                 b.getInt32Ty()),
                                    e * f->elementBits));
    L.write(reg, bits, ScalarType::B32);
  }
}

// wmma.mma.sync.aligned.alayout.blayout.shape.dtype.ctype (f16 inputs) or
// .dtype.atype.btype.ctype (the others) d, a, b, c. The fragments' layouts do not depend on the
// memory layouts the loads used, so alayout and blayout change nothing here.
void lowerWmmaMma(FunctionLowering& L, const Instruction& inst) {
  auto geometry = geometryOf(inst);
  const auto& t = inst.types;
  std::optional<ScalarType> input;
  if (t.size() == 2)
    input = ScalarType::F16;
  else if (t.size() == 4 && t[1] == t[2])
    input = t[1];
  else if (t.size() == 4 && (t[1] == ScalarType::S8 || t[1] == ScalarType::U8) &&
           (t[2] == ScalarType::S8 || t[2] == ScalarType::U8))
    input = t[1];
  bool satfinite = inst.has("satfinite");
  std::optional<Fragment> a, b, c, d;
  if (geometry && input) {
    a = fragmentOf(Role::A, *geometry, *input, t.back(), satfinite);
    b = fragmentOf(Role::B, *geometry, t.size() == 4 ? t[2] : *input, t.back(), satfinite);
    c = fragmentOf(Role::C, *geometry, *input, t.back(), satfinite);
    d = fragmentOf(Role::C, *geometry, *input, t.front(), satfinite);
  }
  if (!a || !b || !c || !d) {
    // The loads give f16 C fragments only for f16 inputs; anything else is not wmma.
    return L.unsupported(inst, std::string(kWmmaForms));
  }
  if (!L.expectOperands(inst, 4, 4))
    return;
  auto* dList = registerList(L, inst, 0, d->registers, "D");
  auto* aList = dList ? registerList(L, inst, 1, a->registers, "A") : nullptr;
  auto* bList = aList ? registerList(L, inst, 2, b->registers, "B") : nullptr;
  auto* cList = bList ? registerList(L, inst, 3, c->registers, "C") : nullptr;
  if (!cList)
    return;
  MmaShape shape = a->tile;
  // B's signedness is its own type's.
  shape.bSigned = b->tile.aSigned;
  auto readTile = [&](const std::vector<Operand>& regs, unsigned first, unsigned count,
                      ScalarType as) {
    std::vector<llvm::Value*> values;
    for (unsigned i = first; i < first + count; ++i)
      values.push_back(L.read(regs[i], as));
    return values;
  };
  std::vector<TileRows> rows, columns;
  for (unsigned m = 0; m < a->mTiles; ++m)
    rows.push_back(gatherRows(
        L, shape, readTile(*aList, m * a->tileRegisters, a->tileRegisters, ScalarType::B32)));
  for (unsigned n = 0; n < b->nTiles; ++n)
    columns.push_back(gatherColumns(
        L, shape, readTile(*bList, n * b->tileRegisters, b->tileRegisters, ScalarType::B32)));
  bool halfC = c->elementBits == 16, halfD = d->elementBits == 16;
  shape.halfResult = halfD; // f16 results are summed as mma's are (MmaTile.h)
  ScalarType accumulator = shape.integer ? ScalarType::S32
                           : halfC       ? ScalarType::B32
                                         : ScalarType::F32;
  for (unsigned tile = 0; tile < c->tiles(); ++tile) {
    auto cValues = readTile(*cList, tile * c->tileRegisters, c->tileRegisters, accumulator);
    std::vector<llvm::Value*> accumulators;
    for (unsigned i = 0; i < shape.outputs(); ++i)
      accumulators.push_back(halfC ? unpackHalves(L, cValues[i / 2], ScalarType::F16)[i % 2]
                                   : cValues[i]);
    auto results = multiplyTile(L, shape, rows[tile / c->nTiles], columns[tile % c->nTiles],
                                std::move(accumulators));
    for (unsigned r = 0; r < d->tileRegisters; ++r) {
      const Operand& out = (*dList)[tile * d->tileRegisters + r];
      if (halfD)
        L.write(out, packHalves(L, results[2 * r], results[2 * r + 1]), ScalarType::F16x2);
      else
        L.write(out, results[r], shape.integer ? ScalarType::S32 : ScalarType::F32);
    }
  }
}

void lowerWmma(FunctionLowering& L, const Instruction& inst) {
  if (!inst.has("sync") || !inst.has("aligned"))
    return L.unsupported(inst, std::string(kWmmaForms));
  if (inst.has("load") || inst.has("store"))
    return lowerWmmaLoadStore(L, inst);
  if (inst.has("mma"))
    return lowerWmmaMma(L, inst);
  L.unsupported(inst, std::string(kWmmaForms));
}

} // namespace

void registerWmma(Registry& r) {
  r["wmma"] = lowerWmma;
}

} // namespace drawbridge::ptx::nvvm
