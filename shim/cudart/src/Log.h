// The runtime's error log (cudaLogs*): every message Drawbridge's libcudart writes to stderr
// about a failed or refused call is also kept here, in a bounded buffer the program can dump,
// and handed to the callbacks it registered, as NVIDIA's runtime does with its driver's log.
#pragma once

#include <cstddef>
#include <cuda_runtime_api.h>
#include <string>

namespace drawbridge::cudart {

/// Writes the printf-formatted message to stderr as given and records it (without its trailing
/// newline) as an error log entry.
void logError(const char* format, ...) __attribute__((format(printf, 1, 2)));
/// The same for a message that is only written the first time `key` is seen.
void logErrorOnce(const std::string& key, const std::string& message);

cudaError_t logsRegisterCallback(cudaLogsCallback_t callback, void* userData,
                                 cudaLogsCallbackHandle* handle);
cudaError_t logsUnregisterCallback(cudaLogsCallbackHandle handle);
/// The iterator of the next entry to be written.
cudaLogIterator logsCurrent();
/// The entries from *iterator (all kept entries when iterator is null), newline-terminated, with
/// a first line saying so when older ones were lost; advances *iterator past what it returns.
/// The text is at most `capacity` bytes; returns false when not even one wanted entry fits.
bool logsText(cudaLogIterator* iterator, size_t capacity, std::string& out);

} // namespace drawbridge::cudart
