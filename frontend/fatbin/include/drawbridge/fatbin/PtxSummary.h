// A header-level scan of PTX text: what inspection lists without a full parse.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace drawbridge::fatbin {

struct PtxSummary {
  std::string version;              // ".version" operand, e.g. "9.0"
  std::string target;               // ".target" operands, e.g. "sm_80"
  std::vector<std::string> kernels; // .entry names, as written (mangled)
};

PtxSummary summarizePtx(std::string_view ptx);

} // namespace drawbridge::fatbin
