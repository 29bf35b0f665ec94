#include "KernelFixture.h"

#include <algorithm>
#include <sstream>

namespace drawbridge::backend::cpu::test {
namespace {

class PrintfTest : public KernelFixture {
protected:
  void SetUp() override { load("printf"); }
};

TEST_F(PrintfTest, EveryThreadPrintsItsLine) {
  ::testing::internal::CaptureStdout();
  Status status = run("greet", {2}, {3}, 0, 10);
  std::string printed = ::testing::internal::GetCapturedStdout();
  ASSERT_TRUE(status.ok()) << status.message;
  std::vector<std::string> lines;
  std::istringstream stream(printed);
  for (std::string line; std::getline(stream, line);)
    lines.push_back(line);
  std::sort(lines.begin(), lines.end()); // blocks run concurrently, in no fixed order
  std::vector<std::string> expected;
  for (int block = 0; block < 2; ++block)
    for (int t = 0; t < 3; ++t) {
      char line[200];
      std::snprintf(line, sizeof line, "thread %d of block %d: %d %.2f ok -1099511627776 %c|%5d|",
                    t, block, 10 + t, 0.25 * t, 'A' + t, t);
      expected.push_back(line);
    }
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(lines, expected) << printed;
}

} // namespace
} // namespace drawbridge::backend::cpu::test
