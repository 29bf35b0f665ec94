// The workload is a real nvcc program: PTX only (so any backend can compile it), with the kernels
// the suite promises, written with warp shuffles and vector loads. Its command line and its
// checkpoint errors are checked here too; both fail before any CUDA call, so no GPU is needed.
#include "RunCommand.h"
#include "TempDir.h"
#include "drawbridge/fatbin/Image.h"
#include "drawbridge/fatbin/Payload.h"
#include "drawbridge/fatbin/PtxSummary.h"
#include "drawbridge/generator/Generator.h"
#include "drawbridge/model/Files.h"

#include <cstdio>
#include <gtest/gtest.h>

using namespace drawbridge;

namespace {

// One PTX module per CUDA source of the workload.
std::vector<std::string> workloadModules() {
  auto image = fatbin::Image::open(DRAWBRIDGE_LLAMA_WORKLOAD);
  EXPECT_TRUE(image) << image.error().message;
  if (!image)
    return {};
  std::vector<std::string> modules;
  for (const fatbin::Fatbin& f : image->fatbins())
    for (const fatbin::Entry& e : f.entries) {
      EXPECT_TRUE(e.isPtx()) << "SASS would not run on another backend";
      EXPECT_EQ(e.smArch, 80u);
      auto text = fatbin::ptxText(e);
      EXPECT_TRUE(text) << text.error().message;
      if (text)
        modules.push_back(*text);
    }
  return modules;
}

std::string workloadPtx() {
  std::string ptx;
  for (const std::string& module : workloadModules())
    ptx += module;
  return ptx;
}

TEST(WorkloadBinary, HoldsPtxForEveryKernelAndPrecision) {
  std::string ptx = workloadPtx();
  ASSERT_FALSE(ptx.empty());
  std::vector<std::string> kernels = fatbin::summarizePtx(ptx).kernels;
  auto has = [&](const std::string& part, const std::string& type) {
    for (const std::string& k : kernels)
      if (k.find(part) != std::string::npos && k.find(type) != std::string::npos)
        return true;
    return false;
  };
  for (const char* kernel :
       {"embedKernel", "rmsNormKernel", "matmulTiledKernel", "gemvWarpKernel", "ropeKernel",
        "attentionKernel", "appendKvKernel", "swigluKernel", "residualKernel"})
    for (const char* type : {"If", "6__half", "13__nv_bfloat16"}) // Itanium mangling of T
      EXPECT_TRUE(has(kernel, type)) << kernel << " for " << type;
  EXPECT_TRUE(has("argmaxKernel", ""));
  EXPECT_TRUE(has("topPKernel", ""));
  EXPECT_NE(ptx.find("shfl.sync.bfly"), std::string::npos); // warp-shuffle reductions
  EXPECT_NE(ptx.find("ld.global.v4"), std::string::npos);   // 16-byte vector loads
  EXPECT_NE(ptx.find(".shared"), std::string::npos);        // the tiled matmul's tiles
  EXPECT_NE(ptx.find("bar.sync"), std::string::npos);
}

using model::testing::CommandResult;

// nvcc stored PTX only, so ptxas never judged it during the build; it must assemble for sm_80.
TEST(WorkloadBinary, PtxAssemblesWithPtxas) {
  std::vector<std::string> modules = workloadModules();
  ASSERT_EQ(modules.size(), 2u) << "main.cu and CublasLinear.cu";
  model::testing::TempDir dir;
  for (const std::string& ptx : modules) {
    ASSERT_FALSE(model::writeFileText(dir.file("workload.ptx"), ptx));
    CommandResult ptxas = model::testing::runCommand(
        DRAWBRIDGE_PTXAS, "-arch=sm_80 " + dir.file("workload.ptx") + " -o " + dir.file("w.cubin"));
    EXPECT_EQ(ptxas.status, 0) << ptxas.output;
  }
}

CommandResult runWorkload(const std::string& arguments) {
  return model::testing::runCommand(DRAWBRIDGE_LLAMA_WORKLOAD, arguments);
}

TEST(WorkloadBinary, RejectsBadCommandLines) {
  for (const char* arguments :
       {"", "--model m --prompt 1,2 --dump d --gemm magic", "--model m --prompt 1,,2 --dump d",
        "--model m --prompt 1 --dump d --precision fp8", "--model m --prompt 1 --dump d --top-p 2",
        "--model m --prompt 1 --dump d --warm-up -1", "--model m --prompt 1 --dump d --steps 0",
        "--model m --prompt 1 --dump d --sample beam", "--model m --prompt 1 --dump d --frob 1",
        "--model m --prompt 1 --dump"}) {
    CommandResult r = runWorkload(arguments);
    EXPECT_EQ(r.status, 2) << arguments;
    EXPECT_NE(r.output.find("usage: llama-workload"), std::string::npos) << arguments;
  }
}

TEST(WorkloadBinary, ReportsCheckpointAndPromptErrorsBeforeTouchingTheGpu) {
  model::testing::TempDir dir;
  CommandResult missing =
      runWorkload("--model " + dir.path() + " --prompt 1 --dump " + dir.file("d"));
  EXPECT_EQ(missing.status, 1);
  EXPECT_NE(missing.output.find("config.json"), std::string::npos) << missing.output;

  model::ModelConfig config = generator::presetConfig(generator::Arch::Mistral);
  ASSERT_FALSE(
      model::writeModel(dir.path(), generator::generateWeights(config, 1), model::DType::F16));
  CommandResult outside =
      runWorkload("--model " + dir.path() + " --prompt 1,1000 --dump " + dir.file("d"));
  EXPECT_EQ(outside.status, 2);
  EXPECT_NE(outside.output.find("outside the vocabulary"), std::string::npos) << outside.output;
  CommandResult tooLong =
      runWorkload("--model " + dir.path() + " --prompt 1 --steps 300 --dump " + dir.file("d"));
  EXPECT_EQ(tooLong.status, 2);
  EXPECT_NE(tooLong.output.find("positions"), std::string::npos) << tooLong.output;
}

} // namespace
