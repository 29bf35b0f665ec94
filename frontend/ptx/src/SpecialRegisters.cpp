#include "SpecialRegisters.h"

#include <array>

namespace drawbridge::ptx {
namespace {

constexpr std::array<SpecialRegisterInfo, 28> kRegisters{{
    {SpecialRegister::Tid, "%tid", 32, true},
    {SpecialRegister::Ntid, "%ntid", 32, true},
    {SpecialRegister::Ctaid, "%ctaid", 32, true},
    {SpecialRegister::Nctaid, "%nctaid", 32, true},
    {SpecialRegister::Laneid, "%laneid", 32, false},
    {SpecialRegister::Warpid, "%warpid", 32, false},
    {SpecialRegister::Nwarpid, "%nwarpid", 32, false},
    {SpecialRegister::Smid, "%smid", 32, false},
    {SpecialRegister::Nsmid, "%nsmid", 32, false},
    {SpecialRegister::Gridid, "%gridid", 64, false},
    {SpecialRegister::LanemaskEq, "%lanemask_eq", 32, false},
    {SpecialRegister::LanemaskLe, "%lanemask_le", 32, false},
    {SpecialRegister::LanemaskLt, "%lanemask_lt", 32, false},
    {SpecialRegister::LanemaskGe, "%lanemask_ge", 32, false},
    {SpecialRegister::LanemaskGt, "%lanemask_gt", 32, false},
    {SpecialRegister::Clock, "%clock", 32, false},
    {SpecialRegister::Clock64, "%clock64", 64, false},
    {SpecialRegister::Globaltimer, "%globaltimer", 64, false},
    {SpecialRegister::GlobaltimerLo, "%globaltimer_lo", 32, false},
    {SpecialRegister::GlobaltimerHi, "%globaltimer_hi", 32, false},
    {SpecialRegister::ClockHi, "%clock_hi", 32, false},
    {SpecialRegister::DynamicSmemSize, "%dynamic_smem_size", 32, false},
    {SpecialRegister::TotalSmemSize, "%total_smem_size", 32, false},
    {SpecialRegister::ReservedSmemBegin, "%reserved_smem_offset_begin", 32, false},
    {SpecialRegister::ReservedSmemEnd, "%reserved_smem_offset_end", 32, false},
    {SpecialRegister::ReservedSmemCap, "%reserved_smem_offset_cap", 32, false},
    {SpecialRegister::ReservedSmem0, "%reserved_smem_offset_0", 32, false},
    {SpecialRegister::ReservedSmem1, "%reserved_smem_offset_1", 32, false},
}};

} // namespace

std::optional<SpecialRegisterInfo> lookupSpecialRegister(std::string_view name) {
  for (const auto& info : kRegisters)
    if (info.name == name)
      return info;
  return std::nullopt;
}

const SpecialRegisterInfo& specialRegisterInfo(SpecialRegister reg) {
  return kRegisters[static_cast<size_t>(reg)];
}

bool isUnsupportedSpecialRegister(std::string_view name) {
  static constexpr std::string_view kPrefixes[] = {"%pm",
                                                   "%envreg",
                                                   "%clusterid",
                                                   "%nclusterid",
                                                   "%cluster_",
                                                   "%is_explicit_cluster",
                                                   "%aggr_smem_size",
                                                   "%current_graph_exec"};
  for (auto prefix : kPrefixes)
    if (name.starts_with(prefix))
      return true;
  return false;
}

} // namespace drawbridge::ptx
