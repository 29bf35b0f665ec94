// The golden suite's driver: runs every instruction form of the generated kernels on the inputs
// of the golden files and compares each result with the golden one, bit for bit, or within the
// stated bound for .approx forms. The same nvcc-built binary runs through Drawbridge's
// libcudart (`drawbridge run`) and natively on an NVIDIA GPU, which is how the goldens are
// confirmed on hardware (README.md).
//
//   golden_driver [--only FORM]... FILE.golden...   prints "golden: F forms, C cases, M mismatches"
#include "GoldenCheck.h"

#include <cstring>
#include <cuda_runtime_api.h>
#include <set>

struct GoldenForm {
  const char* name;
  const void* kernel;
  int index;   // the form's case in its family kernel
  int arity;   // input words per case
  int threads; // per case: 1, or 32 for a warp-wide form (mma, wmma)
};

#define GOLDEN_FORM_TABLE
#include "golden_kernels.cuh"
#include "golden_math.cuh"

namespace {

using golden::Case;

#define CHECK(call)                                                                                \
  do {                                                                                             \
    cudaError_t error_ = (call);                                                                   \
    if (error_ != cudaSuccess) {                                                                   \
      std::printf("FAIL %s:%d: %s: %s\n", __FILE__, __LINE__, #call, cudaGetErrorString(error_));  \
      std::exit(2);                                                                                \
    }                                                                                              \
  } while (0)

// Runs one form on all its cases; returns its results.
std::vector<uint64_t> run(const GoldenForm& form, const std::vector<Case>& cases) {
  int n = int(cases.size());
  std::vector<uint64_t> inputs;
  for (const Case& c : cases) {
    if (int(c.inputs.size()) != form.arity) {
      std::printf("FAIL %s: %zu inputs, the form takes %d: %s\n", form.name, c.inputs.size(),
                  form.arity, c.line.c_str());
      std::exit(2);
    }
    inputs.insert(inputs.end(), c.inputs.begin(), c.inputs.end());
  }
  uint64_t *in = nullptr, *out = nullptr;
  CHECK(cudaMalloc(&in, inputs.size() * sizeof(uint64_t)));
  CHECK(cudaMalloc(&out, n * sizeof(uint64_t)));
  CHECK(cudaMemcpy(in, inputs.data(), inputs.size() * sizeof(uint64_t), cudaMemcpyHostToDevice));
  int index = form.index, arity = form.arity;
  void* args[] = {&index, &arity, &in, &out, &n};
  if (form.threads > 1) // a warp-wide form: one block per case
    CHECK(cudaLaunchKernel(form.kernel, dim3(n), dim3(form.threads), args, 0, nullptr));
  else
    CHECK(cudaLaunchKernel(form.kernel, dim3((n + 127) / 128), dim3(128), args, 0, nullptr));
  std::vector<uint64_t> results(n);
  CHECK(cudaMemcpy(results.data(), out, n * sizeof(uint64_t), cudaMemcpyDeviceToHost));
  CHECK(cudaFree(in));
  CHECK(cudaFree(out));
  return results;
}

} // namespace

int main(int argc, char** argv) {
  std::map<std::string, std::vector<Case>> cases;
  std::set<std::string> only; // --only FORM: run just these (of the files' forms)
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--only") == 0 && i + 1 < argc) {
      only.insert(argv[++i]);
      continue;
    }
    if (!golden::readGoldens(argv[i], cases)) {
      std::printf("FAIL cannot read %s\n", argv[i]);
      return 2;
    }
  }
  for (auto it = cases.begin(); !only.empty() && it != cases.end();)
    it = only.count(it->first) ? std::next(it) : cases.erase(it);
  size_t forms = 0, total = 0, mismatches = 0;
  std::vector<GoldenForm> all(std::begin(kGoldenForms), std::end(kGoldenForms));
  all.insert(all.end(), std::begin(kGoldenMathForms), std::end(kGoldenMathForms));
  for (const GoldenForm& form : all) {
    auto found = cases.find(form.name);
    if (found == cases.end())
      continue; // its family's golden file was not named
    std::vector<uint64_t> results = run(form, found->second);
    ++forms;
    size_t wrong = 0;
    for (size_t i = 0; i < results.size(); ++i) {
      ++total;
      if (golden::matches(results[i], found->second[i].expected))
        continue;
      if (++wrong <= 3) // the first few of each form
        std::printf("mismatch: %s -> %llx\n", found->second[i].line.c_str(),
                    (unsigned long long)results[i]);
    }
    if (wrong)
      std::printf("%s: %zu of %zu cases differ\n", form.name, wrong, results.size());
    mismatches += wrong;
    cases.erase(found);
  }
  for (const auto& [name, unused] : cases) {
    std::printf("FAIL goldens for '%s', which no kernel runs\n", name.c_str());
    return 2;
  }
  std::printf("golden: %zu forms, %zu cases, %zu mismatches\n", forms, total, mismatches);
  return mismatches ? 1 : 0;
}
