#include "drawbridge/backend/cpu/CpuBackend.h"

#include "CpuDevice.h"

namespace drawbridge::backend::cpu {

namespace {

class CpuBackend : public Backend {
public:
  explicit CpuBackend(std::unique_ptr<CpuDevice> device) : device_(std::move(device)) {}
  std::string_view name() const override { return "cpu"; }
  int deviceCount() const override { return 1; }
  Device* device(int index) override { return index == 0 ? device_.get() : nullptr; }

private:
  std::unique_ptr<CpuDevice> device_;
};

} // namespace

Outcome<std::unique_ptr<Backend>> createCpuBackend(const CpuOptions& options) {
  auto compiler = Compiler::create();
  if (!compiler)
    return compiler.status();
  auto jit = Jit::create();
  if (!jit)
    return jit.status();
  ObjectCache cache(options.cacheDirectory.value_or(ObjectCache::defaultDirectory()));
  unsigned threads = options.threads.value_or(ThreadPool::defaultThreadCount());
  auto device =
      std::make_unique<CpuDevice>(std::move(*compiler), std::move(*jit), std::move(cache), threads);
  return std::unique_ptr<Backend>(new CpuBackend(std::move(device)));
}

} // namespace drawbridge::backend::cpu
