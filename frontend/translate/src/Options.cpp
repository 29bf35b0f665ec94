#include "drawbridge/translate/Options.h"

#include <llvm/ADT/StringRef.h>

namespace drawbridge::translate {

unsigned warpSizeOf(std::string_view offloadArch) {
  llvm::StringRef arch(offloadArch.data(), offloadArch.size());
  arch = arch.split(':').first; // gfx90a:xnack+ and the like
  if (!arch.consume_front("gfx") || arch.empty())
    return 0;
  // gfx9xx (three characters after "gfx") is GCN/CDNA; gfx10xx, gfx11xx, gfx12xx are RDNA.
  return arch.size() <= 3 ? 64 : 32;
}

} // namespace drawbridge::translate
