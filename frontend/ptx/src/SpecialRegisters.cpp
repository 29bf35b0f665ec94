#include "SpecialRegisters.h"

#include <array>
#include <charconv>

namespace drawbridge::ptx {
namespace {

constexpr std::array<SpecialRegisterInfo, 34> kRegisters{{
    {SpecialRegister::Tid, "%tid", true},
    {SpecialRegister::Ntid, "%ntid", true},
    {SpecialRegister::Ctaid, "%ctaid", true},
    {SpecialRegister::Nctaid, "%nctaid", true},
    {SpecialRegister::Laneid, "%laneid", false},
    {SpecialRegister::Warpid, "%warpid", false},
    {SpecialRegister::Nwarpid, "%nwarpid", false},
    {SpecialRegister::Smid, "%smid", false},
    {SpecialRegister::Nsmid, "%nsmid", false},
    {SpecialRegister::Gridid, "%gridid", false},
    {SpecialRegister::LanemaskEq, "%lanemask_eq", false},
    {SpecialRegister::LanemaskLe, "%lanemask_le", false},
    {SpecialRegister::LanemaskLt, "%lanemask_lt", false},
    {SpecialRegister::LanemaskGe, "%lanemask_ge", false},
    {SpecialRegister::LanemaskGt, "%lanemask_gt", false},
    {SpecialRegister::Clock, "%clock", false},
    {SpecialRegister::Clock64, "%clock64", false},
    {SpecialRegister::Globaltimer, "%globaltimer", false},
    {SpecialRegister::GlobaltimerLo, "%globaltimer_lo", false},
    {SpecialRegister::GlobaltimerHi, "%globaltimer_hi", false},
    {SpecialRegister::ClockHi, "%clock_hi", false},
    {SpecialRegister::DynamicSmemSize, "%dynamic_smem_size", false},
    {SpecialRegister::TotalSmemSize, "%total_smem_size", false},
    {SpecialRegister::ReservedSmemBegin, "%reserved_smem_offset_begin", false},
    {SpecialRegister::ReservedSmemEnd, "%reserved_smem_offset_end", false},
    {SpecialRegister::ReservedSmemCap, "%reserved_smem_offset_cap", false},
    {SpecialRegister::ReservedSmem0, "%reserved_smem_offset_0", false},
    {SpecialRegister::ReservedSmem1, "%reserved_smem_offset_1", false},
    {SpecialRegister::ClusterCtarank, "%cluster_ctarank", false},
    {SpecialRegister::ClusterNctarank, "%cluster_nctarank", false},
    {SpecialRegister::ClusterCtaid, "%cluster_ctaid", true},
    {SpecialRegister::ClusterNctaid, "%cluster_nctaid", true},
    {SpecialRegister::Clusterid, "%clusterid", true},
    {SpecialRegister::Nclusterid, "%nclusterid", true},
}};

} // namespace

std::optional<SpecialRegisterInfo> lookupSpecialRegister(std::string_view name) {
  for (const auto& info : kRegisters)
    if (info.name == name)
      return info;
  return std::nullopt;
}

std::optional<uint32_t> environmentRegister(std::string_view name) {
  if (!name.starts_with("%envreg"))
    return std::nullopt;
  std::string_view digits = name.substr(7);
  uint32_t n = 0;
  auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
  if (error != std::errc() || end != digits.data() + digits.size() || digits.empty() ||
      (digits.size() > 1 && digits[0] == '0') || n > 31)
    return std::nullopt;
  return n;
}

bool isUnsupportedSpecialRegister(std::string_view name) {
  static constexpr std::string_view kPrefixes[] = {"%pm", "%is_explicit_cluster", "%aggr_smem_size",
                                                   "%current_graph_exec"};
  for (auto prefix : kPrefixes)
    if (name.starts_with(prefix))
      return true;
  return false;
}

} // namespace drawbridge::ptx
