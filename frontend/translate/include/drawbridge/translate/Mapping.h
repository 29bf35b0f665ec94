// The CUDA -> HIP mapping tables (src/mappings/*.def) and how to look names up in them.
#pragma once

#include <compare>
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace drawbridge::translate {

/// API families, as counted by --stats.
enum class Family {
  Runtime,
  Driver,
  Blas,
  BlasLt,
  Rand,
  Fft,
  Sparse,
  Solver,
  Dnn,
  Rtc,
  Cub,
  Nccl,
  Half,
  Device,
  Header,
  Macro,
  Launch,
};
inline constexpr std::size_t kFamilyCount = 17;
std::string_view familyName(Family family);

/// What the rewriter does with a name it finds.
enum class Action {
  Rename,            // replace the identifier with `hip`
  DropMask,          // call: rename and drop the first argument (the warp mask)
  WidenMask,         // call: rename and make the first argument (the warp mask) 64-bit
  ReplaceCall,       // call: replace the whole call with `hip`
  Load,              // call f(p): replace with (*(p))
  Store,             // call f(p, v): replace with (*(p) = (v))
  Unsupported,       // no HIP equivalent; `hip` holds what to do instead
  RenameUntemplated, // replace the name and drop the template arguments written after it (the
                     // HIP side is not a template: hipcub::Max for cuda::maximum<>)
};

struct HipVersion {
  unsigned major = 5;
  unsigned minor = 2;
  friend auto operator<=>(const HipVersion&, const HipVersion&) = default;
  std::string str() const { return std::to_string(major) + "." + std::to_string(minor); }
  /// Parses "MAJOR.MINOR" (a third component is allowed and ignored).
  static std::optional<HipVersion> parse(std::string_view text);
};

struct Mapping {
  std::string_view cuda;
  std::string_view hip;
  Family family;
  Action action;
  HipVersion since; // the first HIP version that has `hip`
  bool roc = false; // a rocBLAS/rocSPARSE/rocSOLVER/rocRAND row, used with --roc only
};

/// What the translator writes for: a HIP version, and whether the math libraries are the roc*
/// ones (rocBLAS, rocSPARSE, rocSOLVER, rocRAND; --roc) rather than the hip* ones.
struct Target {
  Target(HipVersion hip, bool roc = false) : hip(hip), roc(roc) {} // NOLINT: a version is a target
  HipVersion hip;
  bool roc;
};

/// The outcome of looking a CUDA name up for one target.
struct Lookup {
  const Mapping* usable = nullptr; // the newest row the target has
  const Mapping* newer = nullptr;  // set when every row needs a newer HIP than the target
};

/// With target.roc, a name that has roc rows is looked up in those only, and one that has none
/// (the runtime, say) in the others.
Lookup lookupIdentifier(std::string_view name, Target target);
/// Whether some row of `name` is keyed "name/N": it applies to calls with N arguments only.
bool hasArgumentCountRows(std::string_view name);
Lookup lookupHeader(std::string_view name, Target target);

/// The family an identifier that no table knows seems to belong to by its prefix (cudaX, cuX,
/// CU_X, cublasX, ...), or nullopt when it does not look like a CUDA name.
std::optional<Family> familyByPrefix(std::string_view identifier);

/// Every row of every table, in table order.
std::span<const Mapping> allMappings();

} // namespace drawbridge::translate
