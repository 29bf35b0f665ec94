// Writes a message to stderr the first time a key is seen, never again: how the shims name
// an unimplemented API without flooding a program that calls it in a loop.
#pragma once

#include <cstdio>
#include <mutex>
#include <set>
#include <string>

namespace drawbridge {

inline void reportOnce(const std::string& key, const std::string& message) {
  static std::mutex mutex;
  static std::set<std::string> seen;
  std::lock_guard lock(mutex);
  if (seen.insert(key).second)
    std::fprintf(stderr, "%s\n", message.c_str());
}

} // namespace drawbridge
