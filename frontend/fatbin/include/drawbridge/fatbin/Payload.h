// Turning an entry's stored bytes into what they hold: PTX text or an ELF image.
#pragma once

#include "drawbridge/fatbin/Fatbin.h"
#include "drawbridge/support/Expected.h"

#include <string>
#include <vector>

namespace drawbridge::fatbin {

/// The entry's contents, decompressed; checks the size the header declares.
Expected<std::vector<std::byte>> decompress(const Entry& entry, const Limits& limits = {});

/// The PTX text of a PTX entry: its contents up to the terminating NUL.
Expected<std::string> ptxText(const Entry& entry, const Limits& limits = {});

} // namespace drawbridge::fatbin
