// PTX's special registers (%tid, %laneid, %clock64, ...): their names, components and widths.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace drawbridge::ptx {

enum class SpecialRegister : uint8_t {
  Tid,
  Ntid,
  Ctaid,
  Nctaid, // vectors: .x .y .z
  Laneid,
  Warpid,
  Nwarpid,
  Smid,
  Nsmid,
  Gridid,
  LanemaskEq,
  LanemaskLe,
  LanemaskLt,
  LanemaskGe,
  LanemaskGt,
  Clock,
  Clock64,
  Globaltimer,
  GlobaltimerLo,
  GlobaltimerHi,
  ClockHi,
  DynamicSmemSize,
  TotalSmemSize,
  // The block's reserved shared memory, which cooperative groups use for its own barriers.
  ReservedSmemBegin,
  ReservedSmemEnd,
  ReservedSmemCap,
  ReservedSmem0,
  ReservedSmem1,
  // The driver's environment registers %envreg0..31 (the element is the number); cooperative
  // groups reads its grid workspace from %envreg1 and %envreg2.
  Envreg,
  // Thread-block clusters (sm_90). No launch has clusters of more than one block here, so each
  // block is its own cluster, as on NVIDIA's GPUs for a launch without clusters.
  ClusterCtarank,
  ClusterNctarank,
  ClusterCtaid,  // vectors: .x .y .z
  ClusterNctaid, //
  Clusterid,     //
  Nclusterid,    //
};

struct SpecialRegisterInfo {
  SpecialRegister reg;
  std::string_view name; // with the %
  bool hasComponents;    // %tid.x
};

std::optional<SpecialRegisterInfo> lookupSpecialRegister(std::string_view name);

/// N for `%envregN`, N in 0..31.
std::optional<uint32_t> environmentRegister(std::string_view name);

/// Whether `name` is a PTX special register this frontend does not support (%pm0,
/// %is_explicit_cluster, ...), so that it can be reported as such rather than as an unknown name.
bool isUnsupportedSpecialRegister(std::string_view name);

} // namespace drawbridge::ptx
