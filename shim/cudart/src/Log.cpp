#include "Log.h"

#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <deque>
#include <list>
#include <mutex>
#include <set>

namespace drawbridge::cudart {
namespace {

// NVIDIA's driver keeps at most this much log text; older entries are dropped first.
constexpr size_t kLogCapacity = 25600;
constexpr const char* kTruncated = "[earlier log entries were lost]\n";

struct Callback {
  cudaLogsCallback_t function;
  void* userData;
};

struct Log {
  std::mutex mutex;
  std::deque<std::string> entries; // entries[i] has iterator `first + i`
  cudaLogIterator first = 0;
  size_t bytes = 0;
  std::list<Callback> callbacks; // a handle is the address of its element
  std::set<std::string> reported;
};

Log& theLog() {
  static Log* log = new Log; // outlives every static destructor that might still log
  return *log;
}

void record(const std::string& message) {
  std::string entry = message;
  while (!entry.empty() && entry.back() == '\n')
    entry.pop_back();
  Log& log = theLog();
  std::list<Callback> callbacks;
  {
    std::lock_guard lock(log.mutex);
    log.entries.push_back(entry);
    log.bytes += entry.size() + 1;
    while (log.bytes > kLogCapacity && log.entries.size() > 1) {
      log.bytes -= log.entries.front().size() + 1;
      log.entries.pop_front();
      ++log.first;
    }
    callbacks = log.callbacks;
  }
  // Called without the lock, so a callback may use the runtime (and log) itself.
  for (const Callback& callback : callbacks)
    callback.function(callback.userData, cudaLogLevelError, entry.data(), entry.size());
}

} // namespace

void logError(const char* format, ...) {
  va_list args, again;
  va_start(args, format);
  va_copy(again, args);
  std::string text(static_cast<size_t>(std::vsnprintf(nullptr, 0, format, args)), '\0');
  std::vsnprintf(text.data(), text.size() + 1, format, again);
  va_end(again);
  va_end(args);
  std::fputs(text.c_str(), stderr);
  record(text);
}

void logErrorOnce(const std::string& key, const std::string& message) {
  {
    Log& log = theLog();
    std::lock_guard lock(log.mutex);
    if (!log.reported.insert(key).second)
      return;
  }
  std::fprintf(stderr, "%s\n", message.c_str());
  record(message);
}

cudaError_t logsRegisterCallback(cudaLogsCallback_t callback, void* userData,
                                 cudaLogsCallbackHandle* handle) {
  if (!callback)
    return cudaErrorInvalidValue;
  Log& log = theLog();
  std::lock_guard lock(log.mutex);
  log.callbacks.push_back({callback, userData});
  if (handle)
    *handle = reinterpret_cast<cudaLogsCallbackHandle>(&log.callbacks.back());
  return cudaSuccess;
}

cudaError_t logsUnregisterCallback(cudaLogsCallbackHandle handle) {
  Log& log = theLog();
  std::lock_guard lock(log.mutex);
  for (auto it = log.callbacks.begin(); it != log.callbacks.end(); ++it)
    if (reinterpret_cast<cudaLogsCallbackHandle>(&*it) == handle) {
      log.callbacks.erase(it);
      return cudaSuccess;
    }
  return cudaErrorInvalidValue;
}

cudaLogIterator logsCurrent() {
  Log& log = theLog();
  std::lock_guard lock(log.mutex);
  return log.first + static_cast<cudaLogIterator>(log.entries.size());
}

bool logsText(cudaLogIterator* iterator, size_t capacity, std::string& out) {
  Log& log = theLog();
  std::lock_guard lock(log.mutex);
  cudaLogIterator end = log.first + static_cast<cudaLogIterator>(log.entries.size());
  cudaLogIterator from = iterator ? *iterator : log.first;
  bool lost = from < log.first;
  if (lost)
    from = log.first;
  out.clear();
  if (from >= end)
    return true;
  // The newest entries that fit, oldest first; a note first when any wanted one is left out.
  cudaLogIterator start = end;
  size_t used = 0;
  while (start > from) {
    size_t size = log.entries[start - 1 - log.first].size() + 1;
    size_t note = (start - 1 > from || lost) ? std::char_traits<char>::length(kTruncated) : 0;
    if (used + size + note > capacity)
      break;
    used += size;
    --start;
  }
  if (start == end)
    return false;
  if (lost || start > from)
    out += kTruncated;
  for (cudaLogIterator i = start; i < end; ++i)
    out += log.entries[i - log.first] + "\n";
  if (iterator)
    *iterator = end;
  return true;
}

} // namespace drawbridge::cudart
