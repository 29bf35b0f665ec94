// Loads a test kernel module (NVVM IR that clang built from kernels/*.cu) on a fresh CPU
// backend, and launches its kernels with host-checked buffers.
#pragma once

#include "drawbridge/backend/cpu/CpuBackend.h"

#include <gtest/gtest.h>
#include <string>
#include <vector>

namespace drawbridge::backend::cpu::test {

std::vector<std::byte> readKernelModule(const std::string& stem);

class KernelFixture : public ::testing::Test {
protected:
  /// Loads kernels/<stem>.cu's IR; fails the test if it does not load.
  void load(const std::string& stem, CpuOptions options = {});

  Kernel* kernel(const std::string& name);

  /// Device memory of `count` values (unified: the host reads and writes it directly).
  template <typename T> T* buffer(size_t count, T fill = T{}) {
    auto memory = device->allocate(count * sizeof(T), MemoryKind::Device);
    EXPECT_TRUE(memory) << (memory ? "" : memory.status().message);
    T* typed = static_cast<T*>(*memory);
    for (size_t i = 0; i < count; ++i)
      typed[i] = fill;
    return typed;
  }

  /// Launches and synchronizes; returns the launch's or the synchronization's status.
  template <typename... Args>
  Status run(const std::string& name, Dim3 grid, Dim3 block, size_t shared, Args... args) {
    void* pointers[] = {static_cast<void*>(&args)..., nullptr};
    Status launched = device->launch(kernel(name), {grid, block, shared}, pointers, nullptr);
    if (!launched.ok())
      return launched;
    return device->synchronize();
  }

  std::unique_ptr<Backend> backend;
  Device* device = nullptr;
  Module* module = nullptr;
};

} // namespace drawbridge::backend::cpu::test
