// How a library's code is read before it is compiled: its size from a pointer alone, its kernel
// and managed-variable names from the PTX, and a cubin's refusal.
#include "Library.h"

#include "drawbridge/fatbin/Fatbin.h"

#include <cstring>
#include <gtest/gtest.h>

namespace drawbridge::cudart {
namespace {

constexpr const char* kPtx = R"(
.version 8.0
.target sm_80
.address_size 64
.global .attribute(.managed) .align 4 .u32 hits;
.global .align 4 .f32 bias;
.global .attribute( .managed ) .align 8 .b8 table[64] = {0};
.visible .entry first(.param .u64 p) { ret; }
.entry second_2$x() { ret; }
)";

TEST(Library, EntriesAreTheKernelsInOrder) {
  EXPECT_EQ(ptxEntries(kPtx), (std::vector<std::string>{"first", "second_2$x"}));
}

TEST(Library, ManagedGlobalsAreThoseWithTheAttribute) {
  EXPECT_EQ(ptxManagedGlobals(kPtx), (std::vector<std::string>{"hits", "table"}));
}

TEST(Library, CodeSizeOfPtxIncludesItsNul) {
  EXPECT_EQ(codeSize(kPtx), std::strlen(kPtx) + 1);
}

TEST(Library, CodeSizeOfAFatbinIsItsHeaderAndPayload) {
  unsigned char container[32] = {};
  uint32_t magic = fatbin::kContainerMagic;
  uint16_t headerSize = 16;
  uint64_t payload = 1000;
  std::memcpy(container, &magic, 4);
  std::memcpy(container + 6, &headerSize, 2);
  std::memcpy(container + 8, &payload, 8);
  EXPECT_EQ(codeSize(container), 1016u);
}

TEST(Library, ACubinIsRefusedWithTheReason) {
  std::vector<std::byte> elf(64);
  std::memcpy(elf.data(),
              "\x7f"
              "ELF\x02",
              5);
  uint16_t machine = 190; // EM_CUDA
  std::memcpy(elf.data() + 0x12, &machine, 2);
  std::unique_ptr<RegisteredModule> library;
  std::string why;
  EXPECT_EQ(buildLibrary(elf, "a cubin", library, why), cudaErrorNoKernelImageForDevice);
  EXPECT_NE(why.find("no PTX"), std::string::npos) << why;
  EXPECT_EQ(library, nullptr);
}

TEST(Library, PtxTextBecomesOneKernelPerEntry) {
  std::vector<std::byte> bytes(std::strlen(kPtx));
  std::memcpy(bytes.data(), kPtx, bytes.size());
  std::unique_ptr<RegisteredModule> library;
  std::string why;
  ASSERT_EQ(buildLibrary(bytes, "a test", library, why), cudaSuccess) << why;
  ASSERT_EQ(library->functions.size(), 2u);
  EXPECT_EQ(library->functions[1]->deviceName, "second_2$x");
  // A library kernel's host stub is its own handle, so a cudaKernel_t finds it.
  EXPECT_EQ(library->functions[0]->hostStub, library->functions[0].get());
}

} // namespace
} // namespace drawbridge::cudart
