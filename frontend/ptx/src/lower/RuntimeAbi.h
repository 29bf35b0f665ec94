// CUDA's device-side runtime functions (vprintf, __assertfail, malloc, free) as clang declares
// them. PTX passes their addresses as .b64 integers; NVVM IR, the waist every backend reads,
// types them as pointers, so backends can recognise the calls by signature.
#pragma once

#include <llvm/IR/Module.h>

namespace drawbridge::ptx {

/// Re-declares those functions with clang's signatures and converts every call's arguments
/// and result to match (inttoptr for addresses passed in, ptrtoint for a pointer returned).
void adoptRuntimeAbi(llvm::Module& ir);

} // namespace drawbridge::ptx
