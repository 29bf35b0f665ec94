#include "Runtime.h"

#include "Collectives.h"

#include <atomic>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <string>

namespace drawbridge::backend::cpu {

void LaunchState::fail(StatusCode code, std::string message) {
  std::lock_guard lock(mutex_);
  if (!failed.exchange(true))
    status_ = failure(code, std::move(message));
}

Status LaunchState::result() {
  std::lock_guard lock(mutex_);
  return status_;
}

namespace {

std::string where(const BlockContext* context, uint32_t tx, uint32_t ty, uint32_t tz) {
  char text[128];
  std::snprintf(text, sizeof text, "block: [%u,%u,%u], thread: [%u,%u,%u]", context->ctaid[0],
                context->ctaid[1], context->ctaid[2], tx, ty, tz);
  return text;
}

LaunchState& launchOf(const BlockContext* context) {
  return *static_cast<LaunchState*>(context->launch);
}

extern "C" void drawbridgeTrap(const BlockContext* context, uint32_t tx, uint32_t ty, uint32_t tz) {
  LaunchState& launch = launchOf(context);
  launch.fail(StatusCode::LaunchFailure, "kernel '" + std::string(launch.kernel->name) +
                                             "' executed a trap instruction (" +
                                             where(context, tx, ty, tz) + ")");
}

extern "C" void drawbridgeAssert(const BlockContext* context, uint32_t tx, uint32_t ty, uint32_t tz,
                                 const char* message, const char* file, uint32_t line,
                                 const char* function) {
  // The line CUDA prints for a failed device assert.
  std::string text = std::string(file) + ":" + std::to_string(line) + ": " + function + ": " +
                     where(context, tx, ty, tz) + " Assertion `" + message + "` failed.";
  std::fprintf(stderr, "%s\n", text.c_str());
  LaunchState& launch = launchOf(context);
  launch.fail(StatusCode::Assert,
              "kernel '" + std::string(launch.kernel->name) + "' failed an assert: " + text);
}

extern "C" int drawbridgeVprintf(const char* format, const char* arguments) {
  std::string out;
  int written = formatDevicePrintf(out, format, arguments);
  // One write per call keeps each thread's line whole when blocks print concurrently.
  std::fwrite(out.data(), 1, out.size(), stdout);
  std::fflush(stdout);
  return written;
}

extern "C" int32_t drawbridgeWarpSite(const BlockContext* context, int32_t site) {
  const KernelDescriptor& kernel = *launchOf(context).kernel;
  return resolveUniformWarpSite(std::span(context->threads, context->nthreads), site,
                                std::span(kernel.sites, kernel.siteCount + 1));
}

// CUDA's device function for conditional graph nodes. The CUDA runtime's handle is the address
// of the 32-bit condition it reads when the stream reaches the node (the CPU device shares the
// host's memory), so setting it is one store.
extern "C" void drawbridgeSetConditional(uint64_t handle, uint32_t value) {
  reinterpret_cast<std::atomic<uint32_t>*>(handle)->store(value, std::memory_order_relaxed);
}

// NVIDIA's %globaltimer counts nanoseconds of real time (since the Unix epoch on Linux).
extern "C" uint64_t drawbridgeGlobalTimer() {
  timespec now{};
  clock_gettime(CLOCK_REALTIME, &now);
  return uint64_t(now.tv_sec) * 1000000000u + uint64_t(now.tv_nsec);
}

const RuntimeSymbol kSymbols[] = {
    {kTrapHook, reinterpret_cast<void*>(&drawbridgeTrap)},
    {kAssertHook, reinterpret_cast<void*>(&drawbridgeAssert)},
    {kWarpSiteHook, reinterpret_cast<void*>(&drawbridgeWarpSite)},
    {kGlobalTimerHook, reinterpret_cast<void*>(&drawbridgeGlobalTimer)},
    {"vprintf", reinterpret_cast<void*>(&drawbridgeVprintf)},
    {"cudaGraphSetConditional", reinterpret_cast<void*>(&drawbridgeSetConditional)},
};

} // namespace

std::span<const RuntimeSymbol> runtimeSymbols() {
  return kSymbols;
}

} // namespace drawbridge::backend::cpu
