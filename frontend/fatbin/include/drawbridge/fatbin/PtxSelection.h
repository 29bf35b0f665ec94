// Choosing which PTX of a fatbin a backend compiles.
#pragma once

#include "drawbridge/fatbin/Fatbin.h"
#include "drawbridge/support/Expected.h"

namespace drawbridge::fatbin {

/// What the PTX frontend accepts.
struct PtxSupport {
  uint16_t maxIsaMajor = 9;
  uint16_t maxIsaMinor = 0;
  uint32_t maxSmArch = 90;
};

/// The newest PTX ISA the frontend supports, then the highest target among those. The error
/// says why nothing fits (SASS only, or PTX too new) and how to rebuild the program.
Expected<const Entry*> selectPtx(const Fatbin& fatbin, const PtxSupport& support = {});

} // namespace drawbridge::fatbin
