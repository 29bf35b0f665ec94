// drawbridge-make-model: writes a small deterministic checkpoint of one architecture.
#include "drawbridge/generator/Generator.h"

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

using namespace drawbridge;

namespace {

const char* kUsage =
    "usage: drawbridge-make-model --arch llama2|llama3|mistral --dtype f32|f16|bf16 --seed N\n"
    "                             --out DIR [--tied | --untied] [--shards N]\n";

int usageError(const std::string& message) {
  std::fprintf(stderr, "drawbridge-make-model: %s\n%s", message.c_str(), kUsage);
  return 2;
}

std::optional<uint64_t> parseUnsigned(const std::string& text) {
  if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos)
    return std::nullopt;
  return std::strtoull(text.c_str(), nullptr, 10);
}

} // namespace

int main(int argc, char** argv) {
  std::optional<generator::Arch> arch;
  std::optional<model::DType> dtype;
  std::optional<uint64_t> seed;
  std::optional<bool> tied;
  std::string out;
  uint64_t shards = 1;
  for (int i = 1; i < argc; ++i) {
    std::string_view flag = argv[i];
    if (flag == "--tied" || flag == "--untied") {
      tied = flag == "--tied";
      continue;
    }
    if (flag == "--help") {
      std::fputs(kUsage, stdout);
      return 0;
    }
    if (i + 1 >= argc)
      return usageError("missing value after " + std::string(flag));
    std::string value = argv[++i];
    if (flag == "--arch" && !(arch = generator::parseArch(value)))
      return usageError("unknown architecture '" + value + "'");
    if (flag == "--dtype" && !(dtype = model::parseDTypeWord(value)))
      return usageError("unknown dtype '" + value + "'");
    if (flag == "--seed" && !(seed = parseUnsigned(value)))
      return usageError("--seed takes a non-negative integer, not '" + value + "'");
    if (flag == "--shards") {
      std::optional<uint64_t> n = parseUnsigned(value);
      if (!n || *n < 1 || *n > 99)
        return usageError("--shards takes 1 to 99, not '" + value + "'");
      shards = *n;
    }
    if (flag == "--out")
      out = value;
    if (flag != "--arch" && flag != "--dtype" && flag != "--seed" && flag != "--shards" &&
        flag != "--out")
      return usageError("unknown option " + std::string(flag));
  }
  if (!arch || !dtype || !seed || out.empty())
    return usageError("--arch, --dtype, --seed and --out are required");

  model::ModelConfig config = generator::presetConfig(*arch);
  if (tied)
    config.tieWordEmbeddings = *tied;
  model::ModelWeights weights = generator::generateWeights(config, *seed);
  if (std::optional<Error> error =
          model::writeModel(out, weights, *dtype, static_cast<int>(shards))) {
    std::fprintf(stderr, "drawbridge-make-model: %s\n", error->message.c_str());
    return 1;
  }
  return 0;
}
