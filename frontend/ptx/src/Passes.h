// The front passes that run between parsing and lowering. Each takes the module the previous one
// left and either refines it or returns the first error it finds.
#pragma once

#include "drawbridge/ptx/Module.h"
#include "drawbridge/support/Expected.h"

#include <optional>

namespace drawbridge::ptx {

/// Binds every name in every operand to what it denotes (Operand::ref): registers through the
/// scopes of their function, %r<N> ranges, special registers, parameters, labels, variables and
/// functions. Unknown or duplicate names are errors.
std::optional<Error> resolveSymbols(Module& module);

/// Checks operands against the instruction's type where PTX requires an exact match, e.g. the
/// registers of add.s32 must be 32 bits wide.
std::optional<Error> checkOperands(const Module& module);

/// The passes above, in order.
std::optional<Error> runFrontPasses(Module& module);

} // namespace drawbridge::ptx
