// Where `drawbridge record` writes: one line per CUDA runtime call, in call order, with its
// result and, for copies back to the host, a digest of the bytes the program received.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace drawbridge::record {

/// FNV-1a over `bytes` bytes: equal outputs give equal digests on any machine.
uint64_t digest(const void* data, size_t bytes);

/// Appends "NAME(DETAILS) = RESULT" to the trace named by DRAWBRIDGE_RECORD (nothing when it
/// is unset). Thread-safe; lines are numbered by the order they are written.
void writeCall(const char* name, const std::string& details, int result);

} // namespace drawbridge::record
