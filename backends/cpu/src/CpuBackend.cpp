#include "drawbridge/backend/cpu/CpuBackend.h"

#include "CpuDevice.h"

#include <cstdlib>
#include <string>
#include <string_view>

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

Outcome<Arithmetic> defaultArithmetic() {
  const char* text = std::getenv("DRAWBRIDGE_CPU_ARITHMETIC");
  if (!text || !*text || std::string_view(text) == "nvidia")
    return Arithmetic::Nvidia;
  if (std::string_view(text) == "host")
    return Arithmetic::Host;
  return failure(StatusCode::InvalidValue, "DRAWBRIDGE_CPU_ARITHMETIC is '" + std::string(text) +
                                               "': set it to 'nvidia' (the default, NVIDIA's "
                                               "results) or 'host' (x86's NaNs and zeros)");
}

} // namespace

Outcome<std::unique_ptr<Backend>> createCpuBackend(const CpuOptions& options) {
  Outcome<Arithmetic> arithmetic =
      options.arithmetic ? Outcome<Arithmetic>(*options.arithmetic) : defaultArithmetic();
  if (!arithmetic)
    return arithmetic.status();
  auto compiler = Compiler::create(*arithmetic);
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
