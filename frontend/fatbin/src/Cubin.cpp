#include "drawbridge/fatbin/Cubin.h"

#include "ElfFile.h"

namespace drawbridge::fatbin {

Expected<std::vector<std::string>> cubinKernels(std::span<const std::byte> cubin) {
  constexpr std::string_view kParameterBank = ".nv.constant0.";
  detail::ElfFile elf(cubin);
  if (auto error = elf.load())
    return Error{"cubin: " + error->message};
  std::vector<std::string> kernels;
  for (const auto& section : elf.sections())
    if (section.name.starts_with(kParameterBank))
      kernels.push_back(section.name.substr(kParameterBank.size()));
  return kernels;
}

} // namespace drawbridge::fatbin
