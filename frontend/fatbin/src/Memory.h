// Reading the live wrapper a program passes to __cudaRegisterFatBinary.
#pragma once

#include "drawbridge/fatbin/Fatbin.h"
#include "drawbridge/support/Expected.h"

#include <vector>

namespace drawbridge::fatbin::detail {

Expected<std::vector<Fatbin>> readRegisteredWrapper(const void* wrapper, const Limits& limits);

} // namespace drawbridge::fatbin::detail
