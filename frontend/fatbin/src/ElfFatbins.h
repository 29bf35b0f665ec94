// Finding fatbins in a 64-bit little-endian ELF file (executable, shared library or object).
#pragma once

#include "ElfFile.h"
#include "drawbridge/fatbin/Fatbin.h"

#include <vector>

namespace drawbridge::fatbin::detail {

/// Executables and shared libraries: every wrapper in .nvFatBinSegment and what it points to,
/// with the -rdc device-link list of version-2 wrappers. Relocatable objects, and files whose
/// wrappers are gone: every container in the fatbin sections.
Expected<std::vector<Fatbin>> readElfFatbins(const ElfFile& elf, const Limits& limits);

} // namespace drawbridge::fatbin::detail
