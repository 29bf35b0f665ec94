#include "drawbridge/fatbin/Fatbin.h"

namespace drawbridge::fatbin {

std::string_view kindName(uint16_t kind) {
  switch (static_cast<EntryKind>(kind)) {
  case EntryKind::Ptx:
    return "PTX";
  case EntryKind::Elf:
    return "ELF";
  }
  return "unknown";
}

std::string_view compressionName(Compression compression) {
  switch (compression) {
  case Compression::None:
    return "none";
  case Compression::Lz4:
    return "lz4";
  case Compression::Zstd:
    return "zstd";
  }
  return "unknown";
}

std::string archName(const Entry& entry) {
  return (entry.isPtx() ? "compute_" : "sm_") + std::to_string(entry.smArch);
}

} // namespace drawbridge::fatbin
