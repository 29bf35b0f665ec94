// sm_90a and multi-GPU forms: setmaxnreg only moves the register budget between warpgroups,
// which changes no result; wgmma and multimem are named with what to do instead.
#include "FunctionLowering.h"

namespace drawbridge::ptx::nvvm {

namespace {

// setmaxnreg.{inc,dec}.sync.aligned.u32 n.
void lowerSetmaxnreg(FunctionLowering& L, const Instruction& inst) {
  L.expectOperands(inst, 1, 1);
}

void lowerWgmma(FunctionLowering& L, const Instruction& inst) {
  L.unsupported(inst, "wgmma (warpgroup matrix multiply, sm_90a only) is not supported; build "
                      "for compute_90 or lower, whose kernels use mma.sync");
}

void lowerMultimem(FunctionLowering& L, const Instruction& inst) {
  L.unsupported(inst, "multimem reaches the memory of several GPUs through a multicast object, "
                      "which Drawbridge does not have; use per-device copies and reductions");
}

} // namespace

void registerSm90a(Registry& r) {
  r["setmaxnreg"] = lowerSetmaxnreg;
  r["wgmma"] = lowerWgmma;
  r["multimem"] = lowerMultimem;
}

} // namespace drawbridge::ptx::nvvm
