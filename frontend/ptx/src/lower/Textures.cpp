// Texture and surface instructions: named as unsupported with what to do instead. No backend here
// has texture units, and a texture or surface handle's sampler, filtering and boundary state are
// the driver's, which a kernel's PTX does not carry.
#include "FunctionLowering.h"

namespace drawbridge::ptx::nvvm {
namespace {

void lowerTextureOrSurface(FunctionLowering& L, const Instruction& inst) {
  L.unsupported(inst, "textures and surfaces are not supported: pass the data to the kernel as a "
                      "plain pointer and index it");
}

} // namespace

void registerTextures(Registry& r) {
  for (std::string_view opcode : {"tex", "tld4", "txq", "suld", "sust", "sured", "suq", "istypep"})
    r[opcode] = lowerTextureOrSurface;
}

} // namespace drawbridge::ptx::nvvm
