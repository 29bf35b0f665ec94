// Reading real nvcc 13 outputs: every compression mode, several targets, -rdc, shared
// libraries, bare fatbins and objects. The PTX must come out exactly as `nvcc -ptx` wrote it.
#include "TestBinaries.h"
#include "drawbridge/fatbin/Cubin.h"
#include "drawbridge/fatbin/Payload.h"

#include <algorithm>
#include <gtest/gtest.h>

namespace drawbridge::fatbin::test {
namespace {

const std::vector<std::string> kKernelsCuKernels = {"_Z4fillIfEvPT_S0_i", "_Z4fillIiEvPT_S0_i",
                                                    "_Z5saxpyfPKfPfi", "count_calls"};

struct CompressionCase {
  const char* binary;
  Compression expected;
  friend void PrintTo(const CompressionCase& c, std::ostream* os) { *os << c.binary; }
};

class CompressionModes : public ::testing::TestWithParam<CompressionCase> {};

TEST_P(CompressionModes, PtxIsWhatNvccPtxEmitsAsFatbinaryEmbedsIt) {
  Image image = openTestbin(GetParam().binary);
  auto ptx = ptxEntries(image);
  ASSERT_GE(ptx.size(), 1u);
  EXPECT_EQ(ptx[0]->compression, GetParam().expected);
  EXPECT_EQ(ptx[0]->smArch, 80u);
  EXPECT_EQ(ptx[0]->versionMajor, 9);
  EXPECT_EQ(ptx[0]->versionMinor, 0);
  auto text = ptxText(*ptx[0]);
  ASSERT_TRUE(text) << text.error().message;
  EXPECT_EQ(*text, asEmbeddedByFatbinary(readText(testbin("kernels.compute_80.ptx"))));
  EXPECT_EQ(kernelNames(image), kKernelsCuKernels);
}

INSTANTIATE_TEST_SUITE_P(Nvcc13, CompressionModes,
                         ::testing::Values(CompressionCase{"kernels_default", Compression::Zstd},
                                           CompressionCase{"kernels_speed", Compression::Lz4},
                                           CompressionCase{"kernels_size", Compression::Zstd},
                                           CompressionCase{"kernels_nocompress", Compression::None},
                                           CompressionCase{"libkernels.so", Compression::Zstd},
                                           CompressionCase{"kernels.fatbin", Compression::Zstd},
                                           CompressionCase{"kernels.o", Compression::Zstd}),
                         [](const auto& info) {
                           std::string name = info.param.binary;
                           for (char& c : name)
                             if (!isalnum(static_cast<unsigned char>(c)))
                               c = '_';
                           return name;
                         });

TEST(Image, ExecutableHasDeviceLinkWrapperAndOneWrapperPerUnit) {
  Image image = openTestbin("kernels_default");
  EXPECT_EQ(image.format(), Image::Format::Elf);
  ASSERT_EQ(image.fatbins().size(), 2u);
  // nvcc 13 always device-links: a version-2 wrapper first, then the unit's own.
  EXPECT_EQ(image.fatbins()[0].wrapperVersion, 2u);
  EXPECT_EQ(image.fatbins()[1].wrapperVersion, 1u);
  EXPECT_EQ(image.fatbins()[1].section, ".nv_fatbin");
}

TEST(AsEmbeddedByFatbinary, FollowsTheObservedRule) {
  EXPECT_EQ(asEmbeddedByFatbinary("//c\n\t.reg .pred \t%p<2>; // x\n.loc\t1 8 0\n"),
            "\n.reg .pred %p<2>; \n.loc\t1 8 0\n");
}

TEST(Image, SeveralTargetsAreAllListed) {
  Image image = openTestbin("kernels_default");
  std::vector<std::string> archs;
  for (const auto& entry : image.fatbins()[1].entries)
    archs.push_back(std::string(kindName(entry.kind)) + " " + archName(entry));
  EXPECT_EQ(archs, (std::vector<std::string>{"PTX compute_80", "PTX compute_90", "ELF sm_75"}));
  auto ptx = ptxEntries(image);
  ASSERT_EQ(ptx.size(), 2u);
  auto text90 = ptxText(*ptx[1]);
  ASSERT_TRUE(text90) << text90.error().message;
  EXPECT_EQ(*text90, asEmbeddedByFatbinary(readText(testbin("kernels.compute_90.ptx"))));
}

TEST(Image, RelocatableDeviceCodeHasEveryUnit) {
  Image image = openTestbin("rdc");
  size_t relocatable = 0;
  for (const auto& fatbin : image.fatbins())
    relocatable += fatbin.section == "__nv_relfatbin";
  // Two units of ours plus CUDA's device runtime, which nvcc links into every -rdc program.
  EXPECT_EQ(relocatable, 3u);
  auto names = kernelNames(image);
  EXPECT_NE(std::find(names.begin(), names.end(), "_Z10double_allPf"), names.end());
  EXPECT_NE(std::find(names.begin(), names.end(), "_Z7add_onePf"), names.end());
}

TEST(Image, LineInfoBinaryRecordsSourceAndOptions) {
  Image image = openTestbin("kernels_lineinfo");
  auto ptx = ptxEntries(image);
  ASSERT_EQ(ptx.size(), 1u);
  auto text = ptxText(*ptx[0]);
  ASSERT_TRUE(text) << text.error().message;
  EXPECT_EQ(*text, asEmbeddedByFatbinary(readText(testbin("kernels_lineinfo.compute_80.ptx"))));
  EXPECT_TRUE(ptx[0]->sourceName.ends_with("/inputs/kernels.cu")) << ptx[0]->sourceName;
  EXPECT_NE(ptx[0]->options.find("--generate-line-info"), std::string::npos) << ptx[0]->options;
  EXPECT_NE(ptx[0]->options.find("-O2"), std::string::npos) << ptx[0]->options;
}

TEST(Image, SassKernelsAreReadFromTheCubin) {
  Image image = openTestbin("kernels_sass_only");
  const Entry& sass = image.fatbins()[1].entries[0];
  ASSERT_TRUE(sass.isElf());
  auto cubin = decompress(sass);
  ASSERT_TRUE(cubin) << cubin.error().message;
  auto kernels = cubinKernels(*cubin);
  ASSERT_TRUE(kernels) << kernels.error().message;
  std::sort(kernels->begin(), kernels->end());
  EXPECT_EQ(*kernels, kKernelsCuKernels);
}

TEST(Image, CubinThatIsNotElfIsAnError) {
  std::vector<std::byte> junk(100, std::byte{0x42});
  auto kernels = cubinKernels(junk);
  ASSERT_FALSE(kernels);
  EXPECT_NE(kernels.error().message.find("cubin"), std::string::npos);
}

TEST(Image, NeededLibrariesShowTheSharedRuntime) {
  auto needed = openTestbin("kernels_default").neededLibraries();
  EXPECT_NE(std::find(needed.begin(), needed.end(), "libcudart.so.13"), needed.end());
  EXPECT_TRUE(openTestbin("kernels.fatbin").neededLibraries().empty());
}

TEST(Image, SassOnlyBinaryHasNoPtx) {
  Image image = openTestbin("kernels_sass_only");
  EXPECT_TRUE(ptxEntries(image).empty());
  bool sawElf = false;
  for (const auto& fatbin : image.fatbins())
    for (const auto& entry : fatbin.entries)
      sawElf |= entry.isElf() && entry.smArch == 80;
  EXPECT_TRUE(sawElf);
}

TEST(Image, ElfEntriesDecompressToElfImages) {
  Image image = openTestbin("rdc");
  size_t checked = 0;
  for (const auto& fatbin : image.fatbins())
    for (const auto& entry : fatbin.entries)
      if (entry.isElf() && entry.compression != Compression::None) {
        auto bytes = decompress(entry);
        ASSERT_TRUE(bytes) << bytes.error().message;
        ASSERT_GE(bytes->size(), 4u);
        EXPECT_EQ((*bytes)[0], std::byte{0x7f});
        EXPECT_EQ((*bytes)[1], std::byte{'E'});
        ++checked;
      }
  EXPECT_GT(checked, 0u) << "the device runtime's compressed SASS should be present";
}

TEST(Image, MissingFileNamesPathAndReason) {
  auto image = Image::open(testbin("does-not-exist"));
  ASSERT_FALSE(image);
  EXPECT_NE(image.error().message.find("does-not-exist"), std::string::npos);
  EXPECT_NE(image.error().message.find("No such file"), std::string::npos);
}

} // namespace
} // namespace drawbridge::fatbin::test
