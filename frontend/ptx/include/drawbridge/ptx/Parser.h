// Reading PTX text into a Module. Errors name the position, quote the text and say what was
// expected; the symbol and operand checks run as part of parsing, so a Module that comes back is
// ready to lower.
#pragma once

#include "drawbridge/ptx/Module.h"
#include "drawbridge/support/Expected.h"

#include <string_view>

namespace drawbridge::ptx {

/// Lexes and parses PTX text; no semantic checks.
Expected<Module> parseSyntax(std::string_view text);

/// Parses, then runs the front passes (symbol resolution, operand checks).
Expected<Module> parse(std::string_view text);

} // namespace drawbridge::ptx
