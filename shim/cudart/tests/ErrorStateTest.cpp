// CUDA's last-error and sticky-error rules.
#include "Errors.h"

#include <gtest/gtest.h>
#include <thread>

namespace drawbridge::cudart {
namespace {

class ErrorState : public ::testing::Test {
protected:
  void SetUp() override { clearStickyError(); }
  void TearDown() override { clearStickyError(); }
};

TEST_F(ErrorState, LastErrorIsReadOnceAndPeekDoesNotReset) {
  EXPECT_EQ(report(cudaErrorInvalidValue), cudaErrorInvalidValue);
  EXPECT_EQ(peekLastError(), cudaErrorInvalidValue);
  EXPECT_EQ(peekLastError(), cudaErrorInvalidValue);
  EXPECT_EQ(takeLastError(), cudaErrorInvalidValue);
  EXPECT_EQ(takeLastError(), cudaSuccess);
}

TEST_F(ErrorState, SuccessDoesNotOverwriteAnEarlierError) {
  report(cudaErrorMemoryAllocation);
  report(cudaSuccess);
  EXPECT_EQ(takeLastError(), cudaErrorMemoryAllocation);
}

TEST_F(ErrorState, LastErrorIsPerThread) {
  report(cudaErrorInvalidValue);
  cudaError_t seenByOtherThread = cudaErrorUnknown;
  std::thread([&] { seenByOtherThread = peekLastError(); }).join();
  EXPECT_EQ(seenByOtherThread, cudaSuccess);
  EXPECT_EQ(takeLastError(), cudaErrorInvalidValue);
}

TEST_F(ErrorState, StickyErrorSurvivesResetsUntilDeviceReset) {
  report(cudaErrorAssert);
  EXPECT_EQ(takeLastError(), cudaErrorAssert);
  EXPECT_EQ(takeLastError(), cudaErrorAssert);
  report(cudaErrorInvalidValue);
  EXPECT_EQ(stickyError(), cudaErrorAssert) << "the first sticky error stands";
  cudaError_t seenByOtherThread = cudaSuccess;
  std::thread([&] { seenByOtherThread = peekLastError(); }).join();
  EXPECT_EQ(seenByOtherThread, cudaErrorAssert) << "the context is poisoned for every thread";
  clearStickyError();
  EXPECT_EQ(takeLastError(), cudaSuccess);
}

TEST_F(ErrorState, OrdinaryErrorsAreNotSticky) {
  EXPECT_FALSE(isSticky(cudaErrorInvalidValue));
  EXPECT_FALSE(isSticky(cudaErrorMemoryAllocation));
  EXPECT_TRUE(isSticky(cudaErrorLaunchFailure));
  EXPECT_TRUE(isSticky(cudaErrorIllegalAddress));
}

} // namespace
} // namespace drawbridge::cudart
