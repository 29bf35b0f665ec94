// Warp-synchronous code: the lanes of a converged warp execute each instruction together, so
// code written for NVIDIA GPUs trades values through shared memory between lanes with no
// __syncwarp in between. ggml's mul_mat_f with one warp per block does: each lane stores its
// mma accumulators to shared memory and then reads a row that other lanes stored, and its
// main loop overwrites the tile the previous ldmatrix read; so does the classic volatile warp
// reduction. NVIDIA GPUs compute these right (ggml's test-backend-ops passes mul_mat_f there);
// a region loop that runs one thread after another from site to site did not: a lane read
// before a later lane had stored, or stored over what a later lane had yet to read.
//
// Such code gets a meeting of the warp's converged lanes before the access: a shared-memory
// load after a shared-memory store, or a store after a load, with no collective between them
// on some path. The meeting is an unused __activemask() (a site the runtime resolves once the
// warp's other lanes have reached it or gone elsewhere, as reconvergence has it), so the
// access runs only once every lane of the warp here has done the access before it. Warp
// vectors run the lanes together anyway; thread by thread, the meeting is what keeps them in
// step.
//
// Most pairs of accesses need none: lanes run one after another in order, which gives what
// lockstep gives wherever a lane only reads what lower lanes stored and only stores over what
// lower lanes read (`s[t] += s[t + stride]`, each lane's own slot). Such pairs are found from
// their addresses as functions of threadIdx.x (LaneAddresses.h), and so are pairs in different
// iterations of a loop that steps each lane's index by a warp or more. A meeting costs a region of
// the block function: one in the shared-memory reduction benchmark's loop took it from 29 to
// 600 ms.
//
// Which kernels: those whose blocks are one warp at most (launch bounds), and those with no
// block barrier, where lanes can only share memory within their warp; elsewhere only pairs
// with a volatile access. Kernels with __syncthreads trade values across it, and there the
// analysis above cannot tell a score written for one key from the query every lane reads (the
// conformance suite's attention kernel: meetings in its loops halved decode speed). A kernel
// with barriers that also relies on lockstep without volatile or __syncwarp (which CUDA has
// required since Volta) is not kept in step.
//
// Left alone: lanes trading values through global memory without a fence (they may, on a GPU,
// and such code is rare), and two stores to one location (the later instruction's lane wins on
// a GPU, lane order wins here).
#include "LaneAddresses.h"
#include "Lowering.h"

#include <cstring>
#include <llvm/ADT/DenseMap.h>
#include <llvm/ADT/PostOrderIterator.h>
#include <llvm/Analysis/ValueTracking.h>
#include <llvm/IR/IntrinsicInst.h>
#include <llvm/IR/IntrinsicsNVPTX.h>
#include <set>

namespace drawbridge::backend::cpu {
namespace {

/// Where an address may point, found from what it is computed from.
struct Origin {
  bool shared = false;   // from a shared variable or a shared-to-generic cast
  bool unknown = false;  // from memory or a call: could be anything
  bool anchored = false; // from a parameter, a global, a local or a non-shared cast
  Origin& operator|=(const Origin& other) {
    shared |= other.shared;
    unknown |= other.unknown;
    anchored |= other.anchored;
    return *this;
  }
  bool operator==(const Origin&) const = default;
};

/// Where each address of a kernel may point: the least solution of Origin equations over its
/// instructions (loops carry addresses round through phis).
class SharedAddresses {
public:
  explicit SharedAddresses(llvm::Function& kernel) {
    llvm::ReversePostOrderTraversal<llvm::Function*> order(&kernel);
    bool changed = true;
    while (changed) {
      changed = false;
      for (llvm::BasicBlock* block : order)
        for (llvm::Instruction& instruction : *block) {
          Origin origin = of(&instruction);
          origin |= compute(instruction);
          Origin& known = origins_[&instruction];
          if (!(origin == known)) {
            known = origin;
            changed = true;
          }
        }
    }
  }

  /// Whether an access through `pointer` may touch shared memory.
  bool mayBeShared(llvm::Value* pointer) const {
    Origin origin = of(pointer);
    // A generic address computed from nothing but indices (a shuffled address, say) may be one
    // of a shared variable's too.
    return origin.shared || origin.unknown || !origin.anchored;
  }

private:
  Origin of(llvm::Value* value) const {
    if (value->getType()->isPointerTy() && value->getType()->getPointerAddressSpace() != 0)
      return value->getType()->getPointerAddressSpace() == kSharedAddressSpace
                 ? Origin{.shared = true}
                 : Origin{.anchored = true};
    if (llvm::isa<llvm::Argument, llvm::GlobalValue>(value))
      return {.anchored = true};
    if (auto* expression = llvm::dyn_cast<llvm::ConstantExpr>(value)) {
      Origin origin;
      for (llvm::Value* operand : expression->operands())
        origin |= of(operand);
      return origin;
    }
    return origins_.lookup(value);
  }

  Origin compute(llvm::Instruction& instruction) const {
    if (llvm::isa<llvm::AllocaInst>(instruction))
      return {.anchored = true};
    if (auto* call = llvm::dyn_cast<llvm::CallInst>(&instruction)) {
      // A shuffled address is the source lane's address.
      if (std::optional<SiteKind> kind = classifyCollective(*call); kind && isShuffle(*kind))
        return of(call->getArgOperand(1));
      return llvm::isa<llvm::IntrinsicInst>(call) && !call->getType()->isPointerTy()
                 ? Origin{}
                 : Origin{.unknown = true};
    }
    if (auto* load = llvm::dyn_cast<llvm::LoadInst>(&instruction)) {
      // What a kernel reads from its parameters (a struct of pointers passed by value) is the
      // host's, so a global address; an integer read elsewhere is an index.
      if (llvm::isa<llvm::Argument>(llvm::getUnderlyingObject(load->getPointerOperand())))
        return {.anchored = true};
      return load->getType()->isPointerTy() ? Origin{.unknown = true} : Origin{};
    }
    if (!llvm::isa<llvm::CastInst, llvm::BinaryOperator, llvm::GetElementPtrInst, llvm::PHINode,
                   llvm::SelectInst, llvm::ExtractValueInst>(instruction))
      return {};
    Origin origin;
    for (llvm::Value* operand : instruction.operands())
      origin |= of(operand);
    return origin;
  }

  llvm::DenseMap<llvm::Value*, Origin> origins_;
};

/// A shared-memory access since the warp last met; `stale` once it has come round a loop's back
/// edge (the values its address is computed from may have changed since).
struct Earlier {
  llvm::Instruction* access;
  bool stale;
  auto operator<=>(const Earlier&) const = default;
};

/// The accesses since the warp last met; past kMaxTracked of them, any access conflicts.
struct Accesses {
  static constexpr size_t kMaxTracked = 64;
  std::set<Earlier> earlier;
  bool overflowed = false;
  bool operator==(const Accesses&) const = default;
  void add(const Earlier& access) {
    if (overflowed)
      return;
    earlier.insert(access);
    if (earlier.size() > kMaxTracked) {
      earlier.clear();
      overflowed = true;
    }
  }
  void merge(const Accesses& other, bool stale) {
    overflowed |= other.overflowed;
    for (const Earlier& access : other.earlier)
      add({access.access, access.stale || stale});
  }
};

struct SharedAccess {
  bool loads = false, stores = false;
};

/// The most threads a block of `kernel` may have, where its launch bounds (PTX's .maxntid or
/// .reqntid, CUDA's __launch_bounds__) say.
std::optional<uint64_t> threadsPerBlockBound(const llvm::Function& kernel) {
  const llvm::NamedMDNode* annotations = kernel.getParent()->getNamedMetadata("nvvm.annotations");
  if (!annotations)
    return std::nullopt;
  std::optional<uint64_t> bound;
  for (const char* prefix : {"maxntid", "reqntid"}) {
    std::optional<uint64_t> dims[3];
    for (const llvm::MDNode* node : annotations->operands()) {
      if (node->getNumOperands() < 3 ||
          llvm::mdconst::dyn_extract_or_null<llvm::Function>(node->getOperand(0)) != &kernel)
        continue;
      auto* key = llvm::dyn_cast<llvm::MDString>(node->getOperand(1));
      auto* value = llvm::mdconst::dyn_extract_or_null<llvm::ConstantInt>(node->getOperand(2));
      if (!key || !value || !key->getString().starts_with(prefix))
        continue;
      llvm::StringRef axis = key->getString().drop_front(std::strlen(prefix));
      if (axis.size() == 1 && axis[0] >= 'x' && axis[0] <= 'z')
        dims[axis[0] - 'x'] = value->getZExtValue();
    }
    if (dims[0]) {
      uint64_t threads = *dims[0] * dims[1].value_or(1) * dims[2].value_or(1);
      bound = bound ? std::min(*bound, threads) : threads;
    }
  }
  return bound;
}

class Lockstep {
public:
  Lockstep(llvm::Function& kernel, bool warpSynchronous)
      : kernel_(kernel), dominators_(kernel), addresses_(kernel), sharedAddresses_(kernel),
        warpSynchronous_(warpSynchronous) {}

  void run() {
    // Until nothing changes: what a block begins with is what its predecessors end with. The
    // ends only grow, so this stops.
    llvm::ReversePostOrderTraversal<llvm::Function*> order(&kernel_);
    bool changed = true;
    while (changed) {
      changed = false;
      for (llvm::BasicBlock* block : order) {
        Accesses out = exits_[block];
        out.merge(walk(*block, entering(*block), nullptr), false);
        if (!(out == exits_[block])) {
          exits_[block] = std::move(out);
          changed = true;
        }
      }
    }
    std::vector<llvm::Instruction*> meetings;
    for (llvm::BasicBlock& block : kernel_)
      walk(block, entering(block), &meetings);
    for (llvm::Instruction* access : meetings) {
      llvm::IRBuilder<> builder(access);
      builder.CreateIntrinsic(llvm::Intrinsic::nvvm_activemask, {}, {}, nullptr, "warp.lockstep");
    }
  }

private:
  Accesses entering(llvm::BasicBlock& block) {
    Accesses state;
    for (llvm::BasicBlock* predecessor : llvm::predecessors(&block))
      if (auto found = exits_.find(predecessor); found != exits_.end())
        state.merge(found->second, dominators_.dominates(&block, predecessor));
    return state;
  }

  /// The accesses at the end of `block`, entered with `state`; where an access needs its warp
  /// to meet first, it is added to `meetings`.
  Accesses walk(llvm::BasicBlock& block, Accesses state,
                std::vector<llvm::Instruction*>* meetings) {
    for (llvm::Instruction& instruction : block) {
      if (auto* call = llvm::dyn_cast<llvm::CallInst>(&instruction); call && meets(*call)) {
        state = {};
        continue;
      }
      SharedAccess access = sharedAccess(instruction);
      if (!access.loads && !access.stores)
        continue;
      if (conflicts(state, instruction, access)) {
        if (meetings)
          meetings->push_back(&instruction);
        state = {};
      }
      state.add({&instruction, false});
    }
    return state;
  }

  /// Whether `access` may touch what another lane of the warp touched since they met, with a
  /// store on either side, in an order that running the lanes one after another would turn
  /// round.
  bool conflicts(const Accesses& state, llvm::Instruction& instruction, SharedAccess access) {
    if (state.overflowed)
      return true;
    return llvm::any_of(state.earlier, [&](const Earlier& earlier) {
      SharedAccess before = sharedAccess(*earlier.access);
      bool clash = (access.loads && before.stores) || (access.stores && before.loads);
      bool inScope =
          warpSynchronous_ || isVolatileAccess(instruction) || isVolatileAccess(*earlier.access);
      if (!clash || !inScope)
        return false;
      return earlier.stale ? !apartAcrossIterations(*earlier.access, instruction)
                           : !lanesInOrder(*earlier.access, instruction);
    });
  }

  /// Whether lane a's earlier access and lane b's later one can meet only for a <= b, which
  /// lanes run in order keep as lockstep does. So it is for an earlier access at
  /// (threadIdx.x * c + P) and a later one at (threadIdx.x * c' + P'), P and P' the same in all
  /// lanes, where 0 <= c' <= c, the later access is no wider than c and P' <= P: a lane b below
  /// lane a reaches no further than c' * b + P' + size <= c * a + P. So `s[t] += s[t + stride]`
  /// (stride >= 0) and a reduction's `s[t]` read before lane 0 stores `s[0]` need no meeting;
  /// `s[t] = v; ... = s[t - 1]` does.
  bool lanesInOrder(llvm::Instruction& earlier, llvm::Instruction& later) {
    std::optional<std::pair<LaneLinear, LaneLinear>> addresses = addressesOf(earlier, later);
    if (!addresses)
      return false;
    auto& [from, to] = *addresses;
    std::optional<LaneLinear> difference = subtract(to, from);
    if (!difference)
      return false;
    // Lanes of a warp are at most 31 apart: at a constant distance of more than 31 * c (an
    // unrolled `i += 32` loop's s[i] and s[i + 32]) no two of them meet at all.
    if (from.tidX > 0 && isConstant(*difference)) {
      int64_t distance = difference->constant, span = 31 * from.tidX;
      if (distance >= span + int64_t(accessSize(earlier)) ||
          distance <= -span - int64_t(accessSize(later)))
        return true;
    }
    if (from.tidX <= 0 || to.tidX < 0 || to.tidX > from.tidX ||
        accessSize(later) > uint64_t(from.tidX))
      return false;
    difference->tidX = 0;
    return addresses_.isKnownNonPositive(*difference);
  }

  /// Whether an access and one that came round a loop's back edge since (another iteration)
  /// touch one location only from the same lane or lanes of different warps: at addresses a
  /// constant apart, which each iteration moves by a warp's span or more (`for (i = lane;
  /// i < n; i += 32) s[i] ...`, unrolled or not).
  bool apartAcrossIterations(llvm::Instruction& earlier, llvm::Instruction& later) {
    std::optional<std::pair<LaneLinear, LaneLinear>> addresses = addressesOf(earlier, later);
    if (!addresses)
      return false;
    auto& [from, to] = *addresses;
    std::optional<LaneLinear> difference = subtract(to, from);
    return difference && isConstant(*difference) &&
           addresses_.apartAcrossIterations(from, difference->constant,
                                            std::max(accessSize(earlier), accessSize(later)));
  }

  /// The two accesses' addresses as LaneLinears that hold where they are.
  std::optional<std::pair<LaneLinear, LaneLinear>> addressesOf(llvm::Instruction& earlier,
                                                               llvm::Instruction& later) {
    llvm::Value* first = llvm::getLoadStorePointerOperand(&earlier);
    llvm::Value* second = llvm::getLoadStorePointerOperand(&later);
    if (!first || !second)
      return std::nullopt;
    std::optional<LaneLinear> from = addresses_.linear(first), to = addresses_.linear(second);
    if (!from || !to || !addresses_.holdsAt(*from, earlier) || !addresses_.holdsAt(*to, later))
      return std::nullopt;
    return std::pair(*from, *to);
  }

  uint64_t accessSize(llvm::Instruction& access) const {
    const llvm::DataLayout& layout = kernel_.getParent()->getDataLayout();
    return layout.getTypeStoreSize(llvm::getLoadStoreType(&access)).getKnownMinValue();
  }

  /// Collectives where the lanes of a warp meet (all but nanosleep's yield).
  static bool meets(const llvm::CallInst& call) {
    std::optional<SiteKind> kind = classifyCollective(call);
    return kind && *kind != SiteKind::Yield;
  }

  SharedAccess sharedAccess(llvm::Instruction& instruction) const {
    if (auto* load = llvm::dyn_cast<llvm::LoadInst>(&instruction))
      return {.loads = sharedAddresses_.mayBeShared(load->getPointerOperand())};
    if (auto* store = llvm::dyn_cast<llvm::StoreInst>(&instruction))
      return {.stores = sharedAddresses_.mayBeShared(store->getPointerOperand())};
    if (auto* transfer = llvm::dyn_cast<llvm::MemTransferInst>(&instruction))
      return {.loads = sharedAddresses_.mayBeShared(transfer->getSource()),
              .stores = sharedAddresses_.mayBeShared(transfer->getDest())};
    if (auto* set = llvm::dyn_cast<llvm::MemSetInst>(&instruction))
      return {.stores = sharedAddresses_.mayBeShared(set->getDest())};
    return {};
  }

  llvm::Function& kernel_;
  llvm::DominatorTree dominators_;
  LaneAddresses addresses_;
  SharedAddresses sharedAddresses_;
  bool warpSynchronous_;
  llvm::DenseMap<llvm::BasicBlock*, Accesses> exits_;
};

} // namespace

void keepWarpsInLockstep(llvm::Function& kernel) {
  if (!usesSharedMemory(kernel))
    return;
  // Kernels that may be written for lanes in lockstep: blocks of one warp at most, or no block
  // barrier (lanes can share memory only within their warp). Others trade through shared memory
  // across __syncthreads; in them only volatile accesses (the old idiom for warp-synchronous
  // code) are kept in step, and a kernel without any needs nothing.
  bool barrier = false, volatileAccess = false;
  for (llvm::BasicBlock& block : kernel)
    for (llvm::Instruction& instruction : block) {
      auto* call = llvm::dyn_cast<llvm::CallInst>(&instruction);
      std::optional<SiteKind> kind = call ? classifyCollective(*call) : std::nullopt;
      barrier |= kind && isBlockBarrier(*kind);
      volatileAccess |= isVolatileAccess(instruction);
    }
  std::optional<uint64_t> threads = threadsPerBlockBound(kernel);
  bool warpSynchronous = !barrier || (threads && *threads <= 32);
  if (warpSynchronous || volatileAccess)
    Lockstep(kernel, warpSynchronous).run();
}

} // namespace drawbridge::backend::cpu
