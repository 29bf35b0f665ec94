#include "drawbridge/translate/Mapping.h"

#include "drawbridge/translate/Options.h"

#include <gtest/gtest.h>
#include <llvm/ADT/StringRef.h>
#include <set>
#include <string>
#include <tuple>

using namespace drawbridge::translate;

namespace {

constexpr HipVersion hip52{5, 2};
constexpr HipVersion hip60{6, 0};

std::string hipFor(std::string_view cuda, HipVersion target) {
  Lookup found = lookupIdentifier(cuda, target);
  return found.usable ? std::string(found.usable->hip) : "<none>";
}

TEST(Mapping, RuntimeNames) {
  EXPECT_EQ(hipFor("cudaMalloc", hip52), "hipMalloc");
  EXPECT_EQ(hipFor("cudaMemcpyHostToDevice", hip52), "hipMemcpyHostToDevice");
  EXPECT_EQ(hipFor("cudaErrorInvalidValue", hip52), "hipErrorInvalidValue");
  EXPECT_EQ(hipFor("cudaDeviceProp", hip52), "hipDeviceProp_t");
  EXPECT_EQ(lookupIdentifier("cudaMalloc", hip52).usable->family, Family::Runtime);
}

TEST(Mapping, PicksTheNewestRowTheTargetHas) {
  EXPECT_EQ(hipFor("__nv_bfloat16", hip52), "hip_bfloat16");
  EXPECT_EQ(hipFor("__nv_bfloat16", hip60), "__hip_bfloat16");
  EXPECT_EQ(hipFor("CUBLAS_COMPUTE_32F", hip52), "HIPBLAS_R_32F");
  EXPECT_EQ(hipFor("CUBLAS_COMPUTE_32F", hip60), "HIPBLAS_COMPUTE_32F");
  EXPECT_EQ(lookupIdentifier("__shfl_xor_sync", hip52).usable->action, Action::DropMask);
  EXPECT_EQ(lookupIdentifier("__shfl_xor_sync", HipVersion{7, 0}).usable->action,
            Action::WidenMask);
}

TEST(Mapping, HipifyTables) {
  EXPECT_EQ(hipFor("cusolverDnCreate", hip52), "hipsolverDnCreate");
  EXPECT_EQ(hipFor("cudnnCreate", hip52), "miopenCreate");
  EXPECT_EQ(hipFor("nvrtcCompileProgram", hip52), "hiprtcCompileProgram");
  EXPECT_EQ(lookupIdentifier("cusolverDnCreate", hip52).usable->family, Family::Solver);
  // A name HIP lacks is reported with what to use instead.
  const Mapping* missing = lookupIdentifier("cublasGetStatusString", hip60).usable;
  ASSERT_NE(missing, nullptr);
  EXPECT_EQ(missing->action, Action::Unsupported);
  EXPECT_NE(missing->hip.find("rocblas_status_to_string"), std::string_view::npos);
}

TEST(Mapping, RocRowsReplaceHipRowsUnderRoc) {
  const Target roc60{hip60, true};
  EXPECT_EQ(hipFor("cublasSgemm_v2", hip60), "hipblasSgemm");
  EXPECT_EQ(lookupIdentifier("cublasSgemm_v2", roc60).usable->hip, "rocblas_sgemm");
  EXPECT_TRUE(lookupIdentifier("cublasSgemm_v2", roc60).usable->roc);
  EXPECT_EQ(lookupIdentifier("cublasGetStatusString", roc60).usable->hip,
            "rocblas_status_to_string");
  // Names without roc rows (the runtime) keep their HIP rows.
  EXPECT_EQ(lookupIdentifier("cudaMalloc", roc60).usable->hip, "hipMalloc");
  EXPECT_EQ(lookupHeader("cublas_v2.h", Target{hip52, true}).usable->hip, "rocblas.h");
  EXPECT_EQ(lookupHeader("cublas_v2.h", roc60).usable->hip, "rocblas/rocblas.h");
}

TEST(Mapping, ReportsRowsThatNeedANewerHip) {
  Lookup found = lookupIdentifier("cublasLtCreate", hip52);
  EXPECT_EQ(found.usable, nullptr);
  ASSERT_NE(found.newer, nullptr);
  EXPECT_EQ(found.newer->since, (HipVersion{5, 5}));
  EXPECT_EQ(lookupIdentifier("cublasLtCreate", hip60).newer, nullptr);
}

TEST(Mapping, Headers) {
  EXPECT_EQ(lookupHeader("cuda_runtime.h", hip52).usable->hip, "hip/hip_runtime.h");
  EXPECT_EQ(lookupHeader("cub/block/block_reduce.cuh", hip52).usable->hip, "hipcub/hipcub.hpp");
  EXPECT_EQ(lookupHeader("thrust/sort.h", hip52).usable->hip, "thrust/*");
  EXPECT_EQ(lookupHeader("vector", hip52).usable, nullptr);
}

TEST(Mapping, FamilyByPrefix) {
  EXPECT_EQ(familyByPrefix("cudaFrobnicate"), Family::Runtime);
  EXPECT_EQ(familyByPrefix("CUDA_FROB"), Family::Runtime);
  EXPECT_EQ(familyByPrefix("cuFrob"), Family::Driver);
  EXPECT_EQ(familyByPrefix("CUfrob"), Family::Driver);
  EXPECT_EQ(familyByPrefix("cublasLtFrob"), Family::BlasLt);
  EXPECT_EQ(familyByPrefix("cublasFrob"), Family::Blas);
  EXPECT_EQ(familyByPrefix("curand_frob"), Family::Rand);
  EXPECT_EQ(familyByPrefix("ncclFrob"), Family::Nccl);
  EXPECT_EQ(familyByPrefix("cube"), std::nullopt);
  EXPECT_EQ(familyByPrefix("current"), std::nullopt);
  EXPECT_EQ(familyByPrefix("counter"), std::nullopt);
  // Programs' own snake_case names that start like CUDA's.
  EXPECT_EQ(familyByPrefix("cuda_check"), std::nullopt);
  EXPECT_EQ(familyByPrefix("nccl_id"), std::nullopt);
  EXPECT_EQ(familyByPrefix("cu_seqlens"), std::nullopt);
  EXPECT_EQ(familyByPrefix("nv_bfloat16_t"), Family::Half);
}

TEST(Mapping, TablesAreConsistent) {
  std::set<std::tuple<std::string_view, unsigned, unsigned, bool>> seen;
  for (const Mapping& m : allMappings()) {
    SCOPED_TRACE(std::string(m.cuda));
    EXPECT_FALSE(m.cuda.empty());
    // Only a macro that expands to nothing on Linux (CUDART_CB) may be renamed to nothing.
    bool emptyMacro = m.family == Family::Macro && m.action == Action::Rename;
    if ((m.action == Action::Rename && !emptyMacro) || m.action == Action::DropMask ||
        m.action == Action::WidenMask || m.action == Action::ReplaceCall ||
        m.action == Action::Unsupported)
      EXPECT_FALSE(m.hip.empty());
    EXPECT_TRUE(seen.insert({m.cuda, m.since.major, m.since.minor, m.roc}).second)
        << "two rows for the same name and HIP version";
    // A runtime name becomes a HIP name (hipX, HIP_X, make_hipX, ihipX_t), or a lambda that calls
    // one (fields keep HIP's spelling); CUDA's legacy texture and surface references keep theirs.
    if (m.family == Family::Runtime && m.action == Action::Rename &&
        m.cuda.find("::") == std::string_view::npos && m.hip != m.cuda)
      EXPECT_TRUE(m.hip.starts_with("[]") ||
                  llvm::StringRef(m.hip.data(), m.hip.size()).contains_insensitive("hip"))
          << m.hip;
  }
  EXPECT_GT(allMappings().size(), 900u);
}

TEST(Options, HipVersionParse) {
  EXPECT_EQ(HipVersion::parse("6.1.2"), (HipVersion{6, 1}));
  EXPECT_EQ(HipVersion::parse("5.2"), hip52);
  EXPECT_EQ(HipVersion::parse("five"), std::nullopt);
  EXPECT_EQ(HipVersion::parse("6"), std::nullopt);
}

TEST(Options, WarpSize) {
  EXPECT_EQ(warpSizeOf("gfx90a"), 64u);
  EXPECT_EQ(warpSizeOf("gfx942"), 64u);
  EXPECT_EQ(warpSizeOf("gfx90a:xnack+"), 64u);
  EXPECT_EQ(warpSizeOf("gfx1100"), 32u);
  EXPECT_EQ(warpSizeOf("gfx1030"), 32u);
  EXPECT_EQ(warpSizeOf("sm_80"), 0u);
}

} // namespace
