// The state of lowering one PTX function to LLVM IR, and the operations every instruction
// family uses: reading and writing operands with PTX's conversion rules, computing addresses in
// NVPTX address spaces, creating blocks, and reporting errors at the instruction's position.
#pragma once

#include "SpecialRegisters.h"
#include "drawbridge/ptx/Module.h"
#include "drawbridge/support/Expected.h"

#include <llvm/ADT/DenseMap.h>
#include <llvm/Analysis/InstSimplifyFolder.h>
#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/Module.h>
#include <optional>
#include <string_view>
#include <unordered_map>

namespace drawbridge::ptx::nvvm {

/// Folds what it can as it builds (selects on constant conditions, casts of casts), so the IR
/// is not cluttered by PTX's clamping rules applied to constants.
using Builder = llvm::IRBuilder<llvm::InstSimplifyFolder>;

/// NVPTX's address spaces, as clang's CUDA device compiler uses them.
enum AddressSpace : unsigned { Generic = 0, Global = 1, Shared = 3, Const = 4, Local = 5 };

unsigned addressSpaceOf(StateSpace space);

/// What the whole module's lowering knows: the LLVM values that stand for PTX's globals.
struct ModuleState {
  const Module& ptx;
  llvm::Module& ir;
  std::vector<llvm::GlobalVariable*> globals; // by index into Module::globals
  std::vector<llvm::Function*> functions;     // by index into Module::functions
  unsigned sm = 80;
  /// Name register slots after their PTX registers; pointless when mem2reg will remove them.
  bool nameRegisters = false;
};

llvm::Type* llvmType(llvm::LLVMContext& ctx, ScalarType type);
/// The in-memory type of a declared variable: arrays and vectors of its element type.
llvm::Type* variableType(llvm::LLVMContext& ctx, const Variable& v);
llvm::Align variableAlign(const llvm::DataLayout& dl, llvm::LLVMContext& ctx, const Variable& v);
/// The LLVM function type of a .func/.entry signature or a .callprototype.
llvm::FunctionType* signatureType(llvm::LLVMContext& ctx, const std::vector<Variable>& returns,
                                  const std::vector<Variable>& params);

class FunctionLowering {
public:
  FunctionLowering(ModuleState& module, const Function& f, llvm::Function* fn);

  /// Lowers the body; the first error stops it.
  std::optional<Error> run();

  // --- For the instruction families ------------------------------------------------------------
  Builder& b() { return builder_; }
  llvm::LLVMContext& ctx() { return builder_.getContext(); }
  llvm::Module& ir() { return module_.ir; }
  const Function& ptxFunction() const { return f_; }
  ModuleState& moduleState() { return module_; }
  llvm::Type* type(ScalarType t) { return llvmType(ctx(), t); }
  llvm::Type* intType(unsigned bits) { return builder_.getIntNTy(bits); }

  /// The operand's value as `as` (converting width and kind as PTX's operand rules do: registers
  /// wider than the type are truncated, narrower ones extended by the type's signedness).
  llvm::Value* read(const Operand& op, ScalarType as);
  /// Stores `value`, of PTX type `from`, into a register, a vector of registers or the sink.
  void write(const Operand& op, llvm::Value* value, ScalarType from);
  /// Writes the predicate half of a `d|p` destination, if present.
  void writePairedPredicate(const Operand& op, llvm::Value* predicate);
  /// A pointer, in `space`'s address space, to what an [address] operand names.
  llvm::Value* address(const Operand& op, StateSpace space);
  /// The pointer that a symbol (variable, parameter, local array, function) stands for.
  llvm::Value* symbolPointer(const Ref& ref);
  StateSpace symbolSpace(const Ref& ref) const;

  /// Converts between LLVM types of any width the way PTX moves bits between registers.
  llvm::Value* convertBits(llvm::Value* v, llvm::Type* to, bool signExtend);

  llvm::BasicBlock* labelBlock(uint32_t label) { return labels_[label]; }
  llvm::BasicBlock* newBlock(std::string_view name);
  /// Lowers a `ret` from this function (loading the return parameters).
  void emitReturn();
  /// The carry flag (CC.CF) that add.cc and addc share; false at entry.
  llvm::AllocaInst* carrySlot();

  void fail(const Instruction& inst, const std::string& message);
  void unsupported(const Instruction& inst, std::string_view why = {});
  /// Checks the operand count; reports an error and returns false otherwise.
  bool expectOperands(const Instruction& inst, size_t min, size_t max);

private:
  llvm::AllocaInst* entryAlloca(llvm::Type* type, llvm::Align align, const std::string& name);
  llvm::AllocaInst* registerSlot(const Ref& ref);
  llvm::Value* readSpecial(const Ref& ref);
  llvm::Value* reservedSharedMemory(SpecialRegister reg);
  void declare(uint32_t local);
  void lowerInstruction(const Instruction& inst);
  void failDestination(const Operand& op);

  ModuleState& module_;
  const Function& f_;
  llvm::Function* fn_;
  Builder builder_;
  llvm::BasicBlock* entry_ = nullptr;
  std::vector<llvm::BasicBlock*> labels_;
  llvm::DenseMap<uint64_t, llvm::AllocaInst*> registers_; // by (local index, range element)
  std::vector<llvm::Value*> localPointers_; // arrays, params and shared variables in the body
  std::vector<llvm::AllocaInst*> paramSlots_;
  std::vector<llvm::AllocaInst*> returnSlots_;
  llvm::AllocaInst* carry_ = nullptr;
  std::optional<Error> error_;
  const Instruction* current_ = nullptr; // the instruction being lowered, for diagnostics
};

/// One lowering per opcode; each instruction family registers its own.
using LowerFn = void (*)(FunctionLowering&, const Instruction&);
using Registry = std::unordered_map<std::string_view, LowerFn>;

void registerArithmetic(Registry& r);
void registerCarry(Registry& r);
/// add.cc, sub.cc and mad.cc are add, sub and mad with a modifier; their families call this.
void lowerCarry(FunctionLowering& L, const Instruction& inst);
void registerDotProduct(Registry& r);
void registerBitwise(Registry& r);
void registerCompare(Registry& r);
void registerConvert(Registry& r);
/// cvt to or from tf32, e4m3x2 and e5m2x2; the convert family hands these over.
bool isNarrowFloatCvt(const Instruction& inst);
void lowerNarrowFloatCvt(FunctionLowering& L, const Instruction& inst);
void registerMemory(Registry& r);
void registerAtomics(Registry& r);
void registerWarp(Registry& r);
void registerMatrix(Registry& r);
void registerWmma(Registry& r);
void registerTextures(Registry& r);
void registerAsyncBarriers(Registry& r);
/// mbarrier and what completes through one (cp.async.bulk, cp.async.mbarrier.arrive); st.async
/// and red.async, which the store and atomic families hand over.
void lowerMbarrierUse(FunctionLowering& L, const Instruction& inst);
void lowerStoreAsync(FunctionLowering& L, const Instruction& inst);
void lowerReduceAsync(FunctionLowering& L, const Instruction& inst);
void registerClusters(Registry& r);
void registerSm90a(Registry& r);
/// barrier.cluster.arrive/wait; the barrier family hands these over.
bool isClusterBarrier(const Instruction& inst);
void lowerClusterBarrier(FunctionLowering& L, const Instruction& inst);
void registerMath(Registry& r);
void registerControl(Registry& r);

const Registry& registry();

} // namespace drawbridge::ptx::nvvm
