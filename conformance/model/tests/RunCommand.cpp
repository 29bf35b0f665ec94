#include "RunCommand.h"

#include <array>
#include <cstdio>
#include <sys/wait.h>

namespace drawbridge::model::testing {

CommandResult runCommand(const std::string& program, const std::string& arguments) {
  std::string command = program + " " + arguments + " 2>&1";
  CommandResult result;
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe)
    return result;
  std::array<char, 256> buffer;
  while (fgets(buffer.data(), buffer.size(), pipe))
    result.output += buffer.data();
  int status = pclose(pipe);
  result.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

} // namespace drawbridge::model::testing
