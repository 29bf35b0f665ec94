#include "Options.h"

#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace workload {

const char* const kUsage = "--model DIR --prompt 1,2,3 --steps N --dump FILE\n"
                           "    [--gemm own|cublas] [--precision f32|f16|bf16]\n"
                           "    [--sample greedy|top-p] [--top-p P] [--seed S]\n"
                           "    [--timing FILE] [--warm-up N]\n";

namespace {

std::nullopt_t fail(const char* program, const std::string& message) {
  std::fprintf(stderr, "%s: %s\nusage: %s %s", program, message.c_str(), program, kUsage);
  return std::nullopt;
}

bool parseInteger(const std::string& text, long long low, long long high, long long& out) {
  char* end = nullptr;
  out = std::strtoll(text.c_str(), &end, 10);
  return !text.empty() && *end == '\0' && out >= low && out <= high;
}

bool parsePrompt(const std::string& text, std::vector<int32_t>& out) {
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    std::string item = text.substr(start, comma == std::string::npos ? comma : comma - start);
    long long token = 0;
    if (!parseInteger(item, 0, INT32_MAX, token))
      return false;
    out.push_back(static_cast<int32_t>(token));
    if (comma == std::string::npos)
      break;
    start = comma + 1;
  }
  return !out.empty();
}

// Applies one "--flag value" pair; returns an error message or an empty string.
std::string apply(Options& o, std::string_view flag, const std::string& value) {
  long long n = 0;
  if (flag == "--model")
    o.model = value;
  else if (flag == "--dump")
    o.dump = value;
  else if (flag == "--timing")
    o.timing = value;
  else if (flag == "--warm-up") {
    if (!parseInteger(value, 0, 100, n))
      return "--warm-up takes a count from 0 to 100, not '" + value + "'";
    o.warmUp = static_cast<int>(n);
  } else if (flag == "--prompt") {
    if (!parsePrompt(value, o.prompt))
      return "--prompt takes comma-separated token ids, not '" + value + "'";
  } else if (flag == "--steps") {
    if (!parseInteger(value, 1, 1 << 20, n))
      return "--steps takes a positive integer, not '" + value + "'";
    o.steps = static_cast<int>(n);
  } else if (flag == "--gemm") {
    if (value != "own" && value != "cublas")
      return "--gemm takes own or cublas, not '" + value + "'";
    o.gemm = value == "own" ? GemmPath::Own : GemmPath::Cublas;
  } else if (flag == "--precision") {
    if (value == "f32")
      o.precision = Precision::F32;
    else if (value == "f16")
      o.precision = Precision::F16;
    else if (value == "bf16")
      o.precision = Precision::BF16;
    else
      return "--precision takes f32, f16 or bf16, not '" + value + "'";
  } else if (flag == "--sample") {
    if (value != "greedy" && value != "top-p")
      return "--sample takes greedy or top-p, not '" + value + "'";
    o.sample = value == "greedy" ? SampleMode::Greedy : SampleMode::TopP;
  } else if (flag == "--top-p") {
    char* end = nullptr;
    o.topP = std::strtof(value.c_str(), &end);
    if (value.empty() || *end != '\0' || !(o.topP >= 0 && o.topP <= 1))
      return "--top-p takes a number from 0 to 1, not '" + value + "'";
  } else if (flag == "--seed") {
    if (!parseInteger(value, 0, INT64_MAX, n))
      return "--seed takes a non-negative integer, not '" + value + "'";
    o.seed = static_cast<uint64_t>(n);
  } else {
    return "unknown option " + std::string(flag);
  }
  return "";
}

} // namespace

std::optional<Options> parseOptions(int argc, char** argv, const char* program) {
  Options options;
  for (int i = 1; i < argc; i += 2) {
    if (i + 1 >= argc)
      return fail(program, "missing value after " + std::string(argv[i]));
    std::string problem = apply(options, argv[i], argv[i + 1]);
    if (!problem.empty())
      return fail(program, problem);
  }
  if (options.model.empty() || options.prompt.empty() || options.dump.empty())
    return fail(program, "--model, --prompt and --dump are required");
  return options;
}

} // namespace workload
