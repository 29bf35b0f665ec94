#include "Collectives.h"

#include <algorithm>
#include <array>
#include <bit>
#include <climits>
#include <cstdio>
#include <optional>

namespace drawbridge::backend::cpu {

namespace {

constexpr unsigned kWarpSize = 32;

/// The lanes a warp of `size` threads has (the block's last warp may be partial).
uint32_t existingLanes(size_t size) {
  return size == kWarpSize ? ~0u : (1u << size) - 1;
}

bool atWarpCollective(const ThreadState& thread, std::span<const uint32_t> kinds) {
  return thread.status > 0 && isWarpCollective(SiteKind(kinds[size_t(thread.status)]));
}

bool yielding(const ThreadState& thread, std::span<const uint32_t> kinds) {
  return thread.status > 0 && SiteKind(kinds[size_t(thread.status)]) == SiteKind::Yield;
}

std::string threadName(size_t index) {
  return "thread " + std::to_string(index);
}

std::string hex(uint32_t value) {
  char text[16];
  std::snprintf(text, sizeof text, "0x%08x", value);
  return text;
}

uint32_t shuffleResult(SiteKind kind, unsigned lane, ThreadState& thread, const uint32_t* values,
                       uint32_t lanes);

/// Gives the lanes of one warp named by `lanes`, all stopped at a collective of `kind`, its
/// result.
void computeResults(std::span<ThreadState> warp, uint32_t lanes, SiteKind kind) {
  uint32_t values[kWarpSize] = {};
  for (unsigned lane = 0; lane < warp.size(); ++lane)
    values[lane] = warp[lane].value;
  if (isShuffle(kind)) {
    // The common collective, without the per-lane dispatch below.
    for (uint32_t rest = lanes; rest; rest &= rest - 1) {
      unsigned lane = unsigned(std::countr_zero(rest));
      warp[lane].result = shuffleResult(kind, lane, warp[lane], values, lanes);
    }
    return;
  }
  for (unsigned lane = 0; lane < warp.size(); ++lane) {
    if (!(lanes >> lane & 1))
      continue;
    ThreadState& thread = warp[lane];
    uint32_t members = thread.mask & lanes;
    uint32_t result = 0;
    auto each = [&](auto fn) {
      for (unsigned other = 0; other < warp.size(); ++other)
        if (members >> other & 1)
          fn(other);
    };
    switch (kind) {
    case SiteKind::ActiveMask:
      result = lanes;
      break;
    case SiteKind::WarpSync:
      break;
    case SiteKind::VoteAll:
      result = 1;
      each([&](unsigned o) { result &= values[o] != 0; });
      break;
    case SiteKind::VoteAny:
      each([&](unsigned o) { result |= values[o] != 0; });
      break;
    case SiteKind::VoteUni: {
      bool all = true, any = false;
      each([&](unsigned o) {
        all &= values[o] != 0;
        any |= values[o] != 0;
      });
      result = all || !any;
      break;
    }
    case SiteKind::VoteBallot:
      each([&](unsigned o) { result |= uint32_t(values[o] != 0) << o; });
      break;
    case SiteKind::MatchAny32:
    case SiteKind::MatchAny64:
      each([&](unsigned o) {
        bool same = values[o] == thread.value &&
                    (kind == SiteKind::MatchAny32 || warp[o].valueHi == thread.valueHi);
        result |= uint32_t(same) << o;
      });
      break;
    case SiteKind::MatchAll32:
    case SiteKind::MatchAll64: {
      bool same = true;
      each([&](unsigned o) {
        same &= values[o] == thread.value &&
                (kind == SiteKind::MatchAll32 || warp[o].valueHi == thread.valueHi);
      });
      result = same ? members : 0;
      thread.resultPredicate = same;
      break;
    }
    case SiteKind::ReduxAdd:
      each([&](unsigned o) { result += values[o]; });
      break;
    case SiteKind::ReduxAnd:
      result = ~0u;
      each([&](unsigned o) { result &= values[o]; });
      break;
    case SiteKind::ReduxOr:
      each([&](unsigned o) { result |= values[o]; });
      break;
    case SiteKind::ReduxXor:
      each([&](unsigned o) { result ^= values[o]; });
      break;
    case SiteKind::ReduxUmin:
      result = ~0u;
      each([&](unsigned o) { result = std::min(result, values[o]); });
      break;
    case SiteKind::ReduxUmax:
      each([&](unsigned o) { result = std::max(result, values[o]); });
      break;
    case SiteKind::ReduxMin: {
      int32_t m = INT32_MAX;
      each([&](unsigned o) { m = std::min(m, int32_t(values[o])); });
      result = uint32_t(m);
      break;
    }
    case SiteKind::ReduxMax: {
      int32_t m = INT32_MIN;
      each([&](unsigned o) { m = std::max(m, int32_t(values[o])); });
      result = uint32_t(m);
      break;
    }
    default:
      break; // block barriers are not resolved here
    }
    thread.result = result;
  }
}

/// Resolves the lanes of one warp named by `lanes`, all stopped at collectives of `kind`, and
/// makes each runnable from the site it stopped at.
void resolveGroup(std::span<ThreadState> warp, uint32_t lanes, SiteKind kind) {
  computeResults(warp, lanes, kind);
  for (unsigned lane = 0; lane < warp.size(); ++lane)
    if (lanes >> lane & 1) {
      warp[lane].resume = warp[lane].status;
      warp[lane].runnable = 1;
    }
}

uint32_t shuffleResult(SiteKind kind, unsigned lane, ThreadState& thread, const uint32_t* values,
                       uint32_t lanes) {
  bool inRange;
  uint32_t result = shuffle(kind, lane, thread.b, thread.c, values, lanes, &inRange);
  thread.resultPredicate = inRange;
  return result;
}

/// Checks that each waiting lane's mask names only itself and lanes waiting at the same site.
bool checkMasks(std::span<ThreadState> warp, size_t firstThread, uint32_t lanes, int32_t site,
                std::span<const uint32_t> kinds, std::string& message) {
  SiteKind kind = SiteKind(kinds[size_t(site)]);
  if (kind == SiteKind::ActiveMask)
    return true;
  uint32_t existing = existingLanes(warp.size());
  for (unsigned lane = 0; lane < warp.size(); ++lane) {
    if (!(lanes >> lane & 1))
      continue;
    uint32_t mask = warp[lane].mask & existing;
    if (!(mask >> lane & 1)) {
      message = threadName(firstThread + lane) + " executes a warp collective whose mask " +
                hex(warp[lane].mask) + " does not include its own lane";
      return false;
    }
    uint32_t missing = mask & ~lanes;
    if (missing) {
      unsigned other = unsigned(std::countr_zero(missing));
      const ThreadState& absent = warp[other];
      message = threadName(firstThread + lane) + " waits at warp collective " +
                std::to_string(site) + " with mask " + hex(warp[lane].mask) + ", but lane " +
                std::to_string(other) +
                (absent.status == kStepExited
                     ? " has exited"
                     : " is at a different " +
                           std::string(atWarpCollective(absent, kinds) ? "collective" : "barrier"));
      return false;
    }
  }
  return true;
}

/// Whether every lane a group's masks name but which is not in the group waits at another warp
/// collective or yielded, so that it may still arrive once that one is resolved or it runs on.
bool othersMayArrive(std::span<ThreadState> warp, uint32_t lanes, std::span<const uint32_t> kinds) {
  uint32_t named = 0;
  for (unsigned lane = 0; lane < warp.size(); ++lane)
    if (lanes >> lane & 1)
      named |= warp[lane].mask;
  uint32_t missing = named & existingLanes(warp.size()) & ~lanes;
  for (unsigned lane = 0; lane < warp.size(); ++lane)
    if (missing >> lane & 1 && !atWarpCollective(warp[lane], kinds) && !yielding(warp[lane], kinds))
      return false;
  return missing != 0;
}

enum class WarpProgress { Resumed, None, Error };

/// The one mask every lane of `lanes` passed, or nullopt.
std::optional<uint32_t> commonMask(std::span<ThreadState> warp, uint32_t lanes) {
  std::optional<uint32_t> common;
  for (uint32_t rest = lanes; rest; rest &= rest - 1) {
    uint32_t mask = warp[size_t(std::countr_zero(rest))].mask;
    if (common && *common != mask)
      return std::nullopt;
    common = mask;
  }
  return common;
}

/// Joins each (site, lanes) group of `groups` to an earlier one of the same collective kind
/// whose lanes all passed the same mask as its own; returns how many groups remain (first).
/// __activemask takes no mask and is never joined.
size_t mergeSitesWithOneMask(std::span<ThreadState> warp, std::span<const uint32_t> kinds,
                             std::span<std::pair<int32_t, uint32_t>> groups) {
  size_t kept = 0;
  for (size_t i = 0; i < groups.size(); ++i) {
    SiteKind kind = SiteKind(kinds[size_t(groups[i].first)]);
    std::optional<uint32_t> mask = commonMask(warp, groups[i].second);
    bool joined = false;
    for (size_t j = 0; j < kept && kind != SiteKind::ActiveMask && mask && !joined; ++j)
      if (SiteKind(kinds[size_t(groups[j].first)]) == kind &&
          commonMask(warp, groups[j].second) == mask) {
        groups[j].second |= groups[i].second;
        joined = true;
      }
    if (!joined)
      groups[kept++] = groups[i];
  }
  return kept;
}

/// Resolves what can be resolved of one warp's lanes waiting at warp collectives.
///
/// Reconvergence: lanes that took different paths of a branch meet again at the branch's
/// immediate post-dominator before the next collective, as NVIDIA's warps do. Here that means
/// every other collective the warp waits at is resolved before __activemask: the lanes still in
/// the branch (at a shuffle there, say) run on and reach the __activemask after it, which then
/// names them too. __activemask is resolved only once nothing else of the warp can be.
///
/// Independent thread scheduling: a collective whose mask names lanes waiting at another
/// collective waits for them (they may arrive once theirs is resolved); it is an error only when
/// no collective of the warp can be resolved, or when a named lane has exited or waits at a
/// block barrier. Lanes at different sites of one kind, every one with the same mask, meet
/// there as at one site (PTX: a lane waits for the lanes of its mask to execute the
/// instruction "with the same qualifiers and same membermask", on sm_70 on not necessarily the
/// same instruction; e.g. __syncwarp in both arms of a branch).
WarpProgress resolveWarp(std::span<ThreadState> warp, size_t firstThread,
                         std::span<const uint32_t> kinds, std::string& message) {
  std::array<std::pair<int32_t, uint32_t>, kWarpSize> groups; // site, lanes waiting there
  size_t count = 0;
  uint32_t handled = 0;
  for (unsigned lane = 0; lane < warp.size(); ++lane) {
    if (handled >> lane & 1 || !atWarpCollective(warp[lane], kinds))
      continue;
    int32_t site = warp[lane].status;
    uint32_t lanes = 0;
    for (unsigned other = lane; other < warp.size(); ++other)
      if (warp[other].status == site)
        lanes |= 1u << other;
    handled |= lanes;
    groups[count++] = {site, lanes};
  }
  count = mergeSitesWithOneMask(warp, kinds, std::span(groups.data(), count));
  bool resumed = false;
  std::string waiting;
  std::span<const std::pair<int32_t, uint32_t>> found(groups.data(), count);
  for (auto [site, lanes] : found) {
    SiteKind kind = SiteKind(kinds[size_t(site)]);
    if (kind == SiteKind::ActiveMask)
      continue;
    if (!checkMasks(warp, firstThread, lanes, site, kinds, message)) {
      if (!othersMayArrive(warp, lanes, kinds))
        return WarpProgress::Error;
      waiting = message;
      continue;
    }
    resolveGroup(warp, lanes, kind);
    resumed = true;
  }
  if (resumed)
    return WarpProgress::Resumed;
  for (auto [site, lanes] : found)
    if (SiteKind(kinds[size_t(site)]) == SiteKind::ActiveMask) {
      resolveGroup(warp, lanes, SiteKind::ActiveMask);
      resumed = true;
    }
  if (resumed)
    return WarpProgress::Resumed;
  // Lanes that yielded run on before anything else is decided; they may still arrive.
  bool anyYielding = std::any_of(
      warp.begin(), warp.end(), [&](const ThreadState& thread) { return yielding(thread, kinds); });
  if (waiting.empty() || anyYielding)
    return WarpProgress::None;
  message = waiting;
  return WarpProgress::Error;
}

} // namespace

uint32_t shuffle(SiteKind kind, unsigned lane, uint32_t b, uint32_t c, const uint32_t* values,
                 uint32_t present, bool* sourceInRange) {
  int bval = int(b & 31), cval = int(c & 31), segmask = int((c >> 8) & 31);
  int self = int(lane);
  int maxLane = (self & segmask) | (cval & ~segmask);
  int minLane = self & segmask;
  int source = self;
  bool inRange = false;
  switch (kind) {
  case SiteKind::ShflUp:
    source = self - bval;
    inRange = source >= maxLane;
    break;
  case SiteKind::ShflDown:
    source = self + bval;
    inRange = source <= maxLane;
    break;
  case SiteKind::ShflBfly:
    source = self ^ bval;
    inRange = source <= maxLane;
    break;
  default: // idx
    source = minLane | (bval & ~segmask);
    inRange = source <= maxLane;
    break;
  }
  if (sourceInRange)
    *sourceInRange = inRange;
  if (!inRange || source < 0 || source >= int(kWarpSize) || !(present >> source & 1))
    source = self;
  return values[source];
}

bool resolveUniformWarpSite(std::span<ThreadState> threads, int32_t site,
                            std::span<const uint32_t> siteKinds) {
  SiteKind kind = SiteKind(siteKinds[size_t(site)]);
  std::string unused;
  for (size_t first = 0; first < threads.size(); first += kWarpSize) {
    std::span<ThreadState> warp =
        threads.subspan(first, std::min<size_t>(kWarpSize, threads.size() - first));
    uint32_t lanes = 0, commonMask = ~0u;
    for (unsigned lane = 0; lane < warp.size(); ++lane) {
      lanes |= uint32_t(warp[lane].status == site) << lane;
      commonMask &= warp[lane].mask;
    }
    if (!lanes)
      continue;
    // The usual call (every lane present, every mask naming them all) breaks no rule; anything
    // else gets the lane-by-lane check. A broken mask leaves results in earlier warps, which
    // nothing reads: resolveSites then reports the error, and the launch fails.
    uint32_t existing = existingLanes(warp.size());
    bool wholeWarp = lanes == existing && (commonMask & existing) == existing;
    if (!wholeWarp && !checkMasks(warp, first, lanes, site, siteKinds, unused))
      return false;
    computeResults(warp, lanes, kind);
  }
  return true;
}

/// The common case, every waiting thread at the same block barrier, in two tight passes.
/// Returns false when the threads are elsewhere too (the general path then decides).
static bool resolveUniformBarrier(std::span<ThreadState> threads,
                                  std::span<const uint32_t> siteKinds, Resolution& resolution) {
  int32_t common = 0;
  uint32_t count = 0, waiting = 0;
  for (const ThreadState& thread : threads) {
    if (thread.status <= 0)
      continue;
    if (common == 0)
      common = thread.status;
    else if (thread.status != common)
      return false;
    ++waiting;
    count += thread.value != 0;
  }
  if (common == 0) {
    resolution = Resolution::Done;
    return true;
  }
  SiteKind kind = SiteKind(siteKinds[size_t(common)]);
  if (!isBlockBarrier(kind))
    return false;
  uint32_t result = kind == SiteKind::BarrierPopc  ? count
                    : kind == SiteKind::BarrierAnd ? uint32_t(count == waiting)
                    : kind == SiteKind::BarrierOr  ? uint32_t(count != 0)
                                                   : 0;
  for (ThreadState& thread : threads)
    if (thread.status == common) {
      thread.result = result;
      thread.resume = common;
      thread.runnable = 1;
    }
  resolution = Resolution::Resumed;
  return true;
}

Resolution resolveSites(std::span<ThreadState> threads, std::span<const uint32_t> siteKinds,
                        std::string& message) {
  if (Resolution resolution; resolveUniformBarrier(threads, siteKinds, resolution))
    return resolution;
  bool resumed = false;
  for (size_t first = 0; first < threads.size(); first += kWarpSize) {
    std::span<ThreadState> warp =
        threads.subspan(first, std::min<size_t>(kWarpSize, threads.size() - first));
    switch (resolveWarp(warp, first, siteKinds, message)) {
    case WarpProgress::Resumed:
      resumed = true;
      break;
    case WarpProgress::Error:
      return Resolution::Error;
    case WarpProgress::None:
      break;
    }
  }
  if (resumed)
    return Resolution::Resumed;

  // Threads that yielded run on while the others wait; they may yet reach the barrier.
  bool yielded = false;
  for (ThreadState& thread : threads)
    if (yielding(thread, siteKinds)) {
      thread.resume = thread.status;
      thread.runnable = 1;
      yielded = true;
    }
  if (yielded)
    return Resolution::Yielded;

  int32_t barrier = 0;
  size_t firstWaiting = 0;
  uint32_t count = 0;
  bool all = true, any = false;
  for (size_t t = 0; t < threads.size(); ++t) {
    int32_t status = threads[t].status;
    if (status <= 0)
      continue;
    if (barrier == 0) {
      barrier = status;
      firstWaiting = t;
    } else if (status != barrier) {
      message = "threads of one block reached different barriers (" + threadName(firstWaiting) +
                " at barrier " + std::to_string(barrier) + ", " + threadName(t) + " at barrier " +
                std::to_string(status) +
                "); __syncthreads must be reached by all threads of the block";
      return Resolution::Error;
    }
    bool predicate = threads[t].value != 0;
    count += predicate;
    all &= predicate;
    any |= predicate;
  }
  if (barrier == 0)
    return Resolution::Done;
  uint32_t result = 0;
  switch (SiteKind(siteKinds[size_t(barrier)])) {
  case SiteKind::BarrierPopc:
    result = count;
    break;
  case SiteKind::BarrierAnd:
    result = all;
    break;
  case SiteKind::BarrierOr:
    result = any;
    break;
  default:
    break;
  }
  for (ThreadState& thread : threads)
    if (thread.status == barrier) {
      thread.result = result;
      thread.resume = barrier;
      thread.runnable = 1;
    }
  return Resolution::Resumed;
}

} // namespace drawbridge::backend::cpu
