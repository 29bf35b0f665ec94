// mbarrier and what completes through one (cp.async.bulk, TMA, cp.async.mbarrier.arrive): named
// as unsupported with the reason. A thread waiting on an mbarrier spins until other threads
// arrive; the CPU backend runs a block's threads one after another between block barriers and
// warp collectives, so it must first learn to switch threads at such a wait, or the spin would
// never end.
#include "FunctionLowering.h"

namespace drawbridge::ptx::nvvm {

constexpr std::string_view kMbarrierReason =
    "mbarrier is not supported yet: a thread waiting on one needs the CPU backend to run the "
    "block's other threads meanwhile, which it does only at __syncthreads and warp collectives; "
    "use __syncthreads() and plain or cp.async copies instead";

void lowerMbarrierUse(FunctionLowering& L, const Instruction& inst) {
  L.unsupported(inst, kMbarrierReason);
}

void registerAsyncBarriers(Registry& r) {
  r["mbarrier"] = lowerMbarrierUse;
}

} // namespace drawbridge::ptx::nvvm
