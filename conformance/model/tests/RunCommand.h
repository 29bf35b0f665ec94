// Runs a program of the suite as a user would, capturing what it prints.
#pragma once

#include <string>

namespace drawbridge::model::testing {

struct CommandResult {
  int status = -1;    // the exit status, or -1 when it did not exit normally
  std::string output; // stdout and stderr together
};

CommandResult runCommand(const std::string& program, const std::string& arguments);

} // namespace drawbridge::model::testing
