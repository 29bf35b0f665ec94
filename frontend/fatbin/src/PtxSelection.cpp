#include "drawbridge/fatbin/PtxSelection.h"

#include "ByteView.h"

#include <algorithm>
#include <tuple>

namespace drawbridge::fatbin {
namespace {

std::string isa(uint16_t major, uint16_t minor) {
  return std::to_string(major) + "." + std::to_string(minor);
}

std::string rebuildAdvice(uint32_t sm) {
  std::string arch = std::to_string(sm);
  return "Rebuild it with '-gencode arch=compute_" + arch + ",code=compute_" + arch +
         "' (beside any code=sm_XX targets) so that it carries PTX.";
}

} // namespace

Expected<const Entry*> selectPtx(const Fatbin& fatbin, const PtxSupport& support) {
  const Entry* best = nullptr;
  auto key = [](const Entry* e) { return std::tuple(e->versionMajor, e->versionMinor, e->smArch); };
  const Entry* anyPtx = nullptr;
  uint32_t newestSass = 0;
  for (const auto& entry : fatbin.entries) {
    if (entry.isElf())
      newestSass = std::max(newestSass, entry.smArch);
    if (!entry.isPtx())
      continue;
    anyPtx = &entry;
    bool isaOk = std::tuple(entry.versionMajor, entry.versionMinor) <=
                 std::tuple(support.maxIsaMajor, support.maxIsaMinor);
    if (isaOk && entry.smArch <= support.maxSmArch && (!best || key(&entry) > key(best)))
      best = &entry;
  }
  if (best)
    return best;

  std::string where = "the fatbin at offset " + detail::hex(fatbin.offset);
  if (!anyPtx) {
    uint32_t sm = newestSass ? std::min(newestSass, support.maxSmArch) : support.maxSmArch;
    return Error{where + " holds no PTX" +
                 (newestSass ? ", only SASS (sm_" + std::to_string(newestSass) +
                                   "), which runs only on NVIDIA GPUs. "
                             : ". ") +
                 rebuildAdvice(sm)};
  }
  return Error{where +
               " holds PTX only for targets newer than Drawbridge's PTX frontend accepts "
               "(PTX ISA " +
               isa(support.maxIsaMajor, support.maxIsaMinor) + ", up to sm_" +
               std::to_string(support.maxSmArch) + "); it has PTX ISA " +
               isa(anyPtx->versionMajor, anyPtx->versionMinor) + " for compute_" +
               std::to_string(anyPtx->smArch) + ". " +
               rebuildAdvice(std::min(anyPtx->smArch, support.maxSmArch))};
}

} // namespace drawbridge::fatbin
