// Resolves the sites threads of one block stopped at: warp collectives among the lanes that
// reached them, block barriers among all threads that have not exited. Reports kernels that
// break CUDA's rules (non-uniform barriers, masks naming exited or absent lanes) as errors.
#pragma once

#include "Abi.h"

#include <span>
#include <string>

namespace drawbridge::backend::cpu {

enum class Resolution {
  Resumed, // some threads were given results and made runnable
  Yielded, // nothing could be resolved; the threads that yielded (nanosleep) run on
  Done,    // every thread has exited
  Error,   // the kernel broke a rule; the message says which
};

/// Warp collectives first: while any warp has lanes waiting at one, only those are resolved;
/// then threads that yielded run on; block barriers are resolved once every thread has exited
/// or waits at one.
Resolution resolveSites(std::span<ThreadState> threads, std::span<const uint32_t> siteKinds,
                        std::string& message);

/// Every thread that has not exited waits at warp-collective `site`, and none is marked
/// runnable (the region loop for `site` runs them by status): gives each its result. Returns
/// false when a mask names an absent lane (resolveSites then says which).
bool resolveUniformWarpSite(std::span<ThreadState> threads, int32_t site,
                            std::span<const uint32_t> siteKinds);

/// The result of shfl.sync for `lane` as PTX defines it; `values` holds every lane's operand and
/// `present` the lanes that take part (others yield the lane's own value, PTX leaves it undefined).
uint32_t shuffle(SiteKind kind, unsigned lane, uint32_t b, uint32_t c, const uint32_t* values,
                 uint32_t present, bool* sourceInRange = nullptr);

} // namespace drawbridge::backend::cpu
