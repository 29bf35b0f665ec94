// The in-memory path: what the shim receives in __cudaRegisterFatBinary.
#include "TestBinaries.h"

#include <gtest/gtest.h>

namespace drawbridge::fatbin::test {
namespace {

TEST(RegisteredWrapper, Version1ReadsTheSameEntriesAsTheFile) {
  auto bytes = readBytes(testbin("kernels.fatbin"));
  Wrapper wrapper{kWrapperMagic, 1, bytes.data(), nullptr};
  auto image = Image::fromRegisteredWrapper(&wrapper);
  ASSERT_TRUE(image) << image.error().message;
  EXPECT_EQ(image->format(), Image::Format::Memory);
  ASSERT_EQ(image->fatbins().size(), 1u);
  EXPECT_EQ(image->fatbins()[0].wrapperVersion, 1u);
  EXPECT_EQ(image->fatbins()[0].offset, reinterpret_cast<uintptr_t>(bytes.data()));
  Image file = openTestbin("kernels.fatbin");
  EXPECT_EQ(kernelNames(*image), kernelNames(file));
  EXPECT_EQ(image->fatbins()[0].entries.size(), file.fatbins()[0].entries.size());
}

TEST(RegisteredWrapper, Version2FollowsThePrelinkedList) {
  auto first = readBytes(testbin("kernels.fatbin"));
  auto second = readBytes(testbin("kernels.fatbin"));
  const void* list[] = {first.data(), second.data(), nullptr};
  auto empty = readBytes(testbin("kernels.fatbin"));
  Wrapper wrapper{kWrapperMagic, 2, empty.data(), list};
  auto image = Image::fromRegisteredWrapper(&wrapper);
  ASSERT_TRUE(image) << image.error().message;
  ASSERT_EQ(image->fatbins().size(), 3u);
  EXPECT_EQ(image->fatbins()[0].origin, Origin::Wrapper);
  EXPECT_EQ(image->fatbins()[1].origin, Origin::Prelinked);
  EXPECT_EQ(image->fatbins()[2].origin, Origin::Prelinked);
  EXPECT_EQ(image->fatbins()[2].offset, reinterpret_cast<uintptr_t>(second.data()));
}

TEST(RegisteredWrapper, BadMagicIsNamed) {
  auto bytes = readBytes(testbin("kernels.fatbin"));
  Wrapper wrapper{0xdeadbeef, 1, bytes.data(), nullptr};
  auto image = Image::fromRegisteredWrapper(&wrapper);
  ASSERT_FALSE(image);
  EXPECT_NE(image.error().message.find("magic"), std::string::npos);
}

TEST(RegisteredWrapper, NullPointersAreNamed) {
  EXPECT_FALSE(Image::fromRegisteredWrapper(nullptr));
  Wrapper wrapper{kWrapperMagic, 1, nullptr, nullptr};
  auto image = Image::fromRegisteredWrapper(&wrapper);
  ASSERT_FALSE(image);
  EXPECT_NE(image.error().message.find("fatbin pointer"), std::string::npos);
}

TEST(RegisteredWrapper, CorruptContainerBehindValidWrapper) {
  auto bytes = readBytes(testbin("kernels.fatbin"));
  bytes[0] = std::byte{0};
  Wrapper wrapper{kWrapperMagic, 1, bytes.data(), nullptr};
  auto image = Image::fromRegisteredWrapper(&wrapper);
  ASSERT_FALSE(image);
  EXPECT_NE(image.error().message.find("fatbin container"), std::string::npos);
}

} // namespace
} // namespace drawbridge::fatbin::test
