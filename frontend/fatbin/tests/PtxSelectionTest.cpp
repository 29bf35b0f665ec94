#include "drawbridge/fatbin/PtxSelection.h"

#include <gtest/gtest.h>

namespace drawbridge::fatbin {
namespace {

Entry ptx(uint16_t major, uint16_t minor, uint32_t sm) {
  Entry e;
  e.kind = static_cast<uint16_t>(EntryKind::Ptx);
  e.versionMajor = major;
  e.versionMinor = minor;
  e.smArch = sm;
  return e;
}

Entry sass(uint32_t sm) {
  Entry e;
  e.kind = static_cast<uint16_t>(EntryKind::Elf);
  e.smArch = sm;
  return e;
}

TEST(SelectPtx, NewestSupportedIsaThenHighestTarget) {
  Fatbin f;
  f.entries = {sass(75), ptx(8, 0, 75), ptx(9, 0, 80), ptx(9, 0, 90), ptx(9, 1, 100)};
  auto chosen = selectPtx(f);
  ASSERT_TRUE(chosen) << chosen.error().message;
  EXPECT_EQ((*chosen)->smArch, 90u);
}

TEST(SelectPtx, RespectsTheTargetLimit) {
  Fatbin f;
  f.entries = {ptx(9, 0, 80), ptx(9, 0, 90)};
  auto chosen = selectPtx(f, PtxSupport{9, 0, 86});
  ASSERT_TRUE(chosen);
  EXPECT_EQ((*chosen)->smArch, 80u);
}

TEST(SelectPtx, SassOnlySaysHowToRebuild) {
  Fatbin f;
  f.entries = {sass(80), sass(75)};
  auto chosen = selectPtx(f);
  ASSERT_FALSE(chosen);
  const auto& m = chosen.error().message;
  EXPECT_NE(m.find("holds no PTX"), std::string::npos) << m;
  EXPECT_NE(m.find("only SASS (sm_80)"), std::string::npos) << m;
  EXPECT_NE(m.find("-gencode arch=compute_80,code=compute_80"), std::string::npos) << m;
}

TEST(SelectPtx, TooNewPtxIsNamed) {
  Fatbin f;
  f.entries = {ptx(9, 1, 100)};
  auto chosen = selectPtx(f);
  ASSERT_FALSE(chosen);
  const auto& m = chosen.error().message;
  EXPECT_NE(m.find("PTX ISA 9.1 for compute_100"), std::string::npos) << m;
  EXPECT_NE(m.find("code=compute_90"), std::string::npos) << m;
}

} // namespace
} // namespace drawbridge::fatbin
