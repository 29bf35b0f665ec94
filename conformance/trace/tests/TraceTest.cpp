#include "drawbridge/trace/Trace.h"

#include "TempDir.h"

#include <cstring>
#include <gtest/gtest.h>

using namespace drawbridge::trace;

namespace {

Trace sample() {
  Trace t;
  t.hidden = 3;
  t.vocab = 5;
  t.boundaryCount = 2;
  for (uint32_t s = 0; s < 3; ++s) {
    StepTrace step;
    step.tokenCount = s == 0 ? 4 : 1;
    step.firstPosition = s == 0 ? 0 : 3 + s;
    for (uint32_t b = 0; b < t.boundaryCount; ++b) {
      std::vector<float> values(step.tokenCount * t.hidden);
      for (size_t i = 0; i < values.size(); ++i)
        values[i] = float(s * 100 + b * 10) + float(i) / 8;
      step.boundaries.push_back(values);
    }
    step.logits = {1, 2, float(s), -1, 0.5f};
    step.token = static_cast<int32_t>(s + 1);
    step.margin = 0.25f * float(s);
    t.steps.push_back(step);
  }
  return t;
}

void expectEqual(const Trace& a, const Trace& b) {
  EXPECT_EQ(a.hidden, b.hidden);
  EXPECT_EQ(a.vocab, b.vocab);
  EXPECT_EQ(a.boundaryCount, b.boundaryCount);
  ASSERT_EQ(a.steps.size(), b.steps.size());
  for (size_t s = 0; s < a.steps.size(); ++s) {
    EXPECT_EQ(a.steps[s].tokenCount, b.steps[s].tokenCount);
    EXPECT_EQ(a.steps[s].firstPosition, b.steps[s].firstPosition);
    EXPECT_EQ(a.steps[s].boundaries, b.steps[s].boundaries);
    EXPECT_EQ(a.steps[s].logits, b.steps[s].logits);
    EXPECT_EQ(a.steps[s].token, b.steps[s].token);
    EXPECT_EQ(a.steps[s].margin, b.steps[s].margin);
  }
}

TEST(Trace, RoundTripThroughBytesAndFiles) {
  Trace t = sample();
  std::vector<std::byte> bytes = encodeTrace(t);
  // Size as documented: header, then per step 2 u32, B*N*H floats, V floats, token and margin.
  size_t expected = 8 + 16;
  for (const StepTrace& s : t.steps)
    expected += 8 + 4 * (t.boundaryCount * s.tokenCount * t.hidden + t.vocab) + 8;
  EXPECT_EQ(bytes.size(), expected);
  EXPECT_EQ(std::memcmp(bytes.data(), "DBTRACE1", 8), 0);
  auto back = decodeTrace(bytes, "t");
  ASSERT_TRUE(back) << back.error().message;
  expectEqual(*back, t);
  EXPECT_EQ(back->tokens(), (std::vector<int32_t>{1, 2, 3}));

  drawbridge::model::testing::TempDir dir;
  ASSERT_FALSE(writeTrace(dir.file("d.bin"), t));
  auto fromFile = readTrace(dir.file("d.bin"));
  ASSERT_TRUE(fromFile) << fromFile.error().message;
  expectEqual(*fromFile, t);
  EXPECT_FALSE(readTrace(dir.file("missing.bin")));
}

TEST(Trace, MalformedDumpsAreErrors) {
  std::vector<std::byte> bytes = encodeTrace(sample());
  for (size_t n = 0; n < bytes.size(); ++n) {
    auto t = decodeTrace(std::vector<std::byte>(bytes.begin(), bytes.begin() + n), "dump");
    ASSERT_FALSE(t) << n;
    EXPECT_EQ(t.error().message.rfind("dump: ", 0), 0u);
  }
  std::vector<std::byte> longer = bytes;
  longer.push_back(std::byte{0});
  auto extra = decodeTrace(longer, "dump");
  ASSERT_FALSE(extra);
  EXPECT_NE(extra.error().message.find("unexpected bytes"), std::string::npos);
  std::vector<std::byte> badMagic = bytes;
  badMagic[0] = std::byte{'X'};
  EXPECT_FALSE(decodeTrace(badMagic, "dump"));
  std::vector<std::byte> hugeSteps = bytes;
  std::memset(hugeSteps.data() + 20, 0xFF, 4);
  auto huge = decodeTrace(hugeSteps, "dump");
  ASSERT_FALSE(huge);
  EXPECT_NE(huge.error().message.find("steps"), std::string::npos);
}

} // namespace
