#include "Profile.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cxxabi.h>
#include <map>
#include <mutex>
#include <vector>

namespace drawbridge::cudart {
namespace {

struct KernelTimes {
  unsigned long calls = 0;
  double total = 0, min = 1e300, max = 0;
};

std::mutex mutex;
std::map<std::string, KernelTimes>* times = nullptr;

std::string demangle(const std::string& name) {
  int status = 0;
  char* plain = abi::__cxa_demangle(name.c_str(), nullptr, nullptr, &status);
  std::string result = status == 0 && plain ? plain : name;
  std::free(plain);
  return result;
}

void printTable() {
  std::lock_guard lock(mutex);
  if (!times || times->empty())
    return;
  std::vector<std::pair<std::string, KernelTimes>> rows(times->begin(), times->end());
  std::sort(rows.begin(), rows.end(),
            [](const auto& a, const auto& b) { return a.second.total > b.second.total; });
  double all = 0;
  for (const auto& row : rows)
    all += row.second.total;
  std::fprintf(stderr, "drawbridge profile: kernels (each launch run to completion)\n");
  std::fprintf(stderr, "%8s %12s %8s %12s %12s %12s  %s\n", "Time(%)", "Total(ms)", "Calls",
               "Avg(ms)", "Min(ms)", "Max(ms)", "Name");
  for (const auto& [name, t] : rows)
    std::fprintf(stderr, "%7.2f%% %12.3f %8lu %12.3f %12.3f %12.3f  %s\n",
                 all > 0 ? 100 * t.total / all : 0.0, t.total, t.calls, t.total / t.calls, t.min,
                 t.max, demangle(name).c_str());
}

} // namespace

bool profiling() {
  static const bool enabled = [] {
    const char* value = std::getenv("DRAWBRIDGE_PROFILE");
    bool on = value && *value && std::string(value) != "0";
    if (on)
      std::atexit(printTable);
    return on;
  }();
  return enabled;
}

void recordKernelTime(const std::string& kernel, double milliseconds) {
  std::lock_guard lock(mutex);
  if (!times)
    times = new std::map<std::string, KernelTimes>; // outlives static destruction for atexit
  KernelTimes& t = (*times)[kernel];
  ++t.calls;
  t.total += milliseconds;
  t.min = std::min(t.min, milliseconds);
  t.max = std::max(t.max, milliseconds);
}

} // namespace drawbridge::cudart
