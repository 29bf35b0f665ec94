// `drawbridge compare A B`: reads two traces from `drawbridge record` and names the first call
// where they differ (its name, result or digest), or says they agree.
#include "Command.h"

#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/raw_ostream.h>
#include <string>

namespace drawbridge::cli {
namespace {

namespace cl = llvm::cl;

cl::SubCommand Compare("compare", "Name the first call where two recorded traces differ");
cl::opt<std::string> First(cl::Positional, cl::Required, cl::desc("<trace A>"), cl::sub(Compare));
cl::opt<std::string> Second(cl::Positional, cl::Required, cl::desc("<trace B>"), cl::sub(Compare));

int compareTraces() {
  auto a = llvm::MemoryBuffer::getFile(First);
  if (!a)
    return fail("compare", "cannot read '" + First + "': " + a.getError().message());
  auto b = llvm::MemoryBuffer::getFile(Second);
  if (!b)
    return fail("compare", "cannot read '" + Second + "': " + b.getError().message());
  llvm::StringRef restA = (*a)->getBuffer(), restB = (*b)->getBuffer();
  for (unsigned call = 1; !restA.empty() || !restB.empty(); ++call) {
    auto [lineA, nextA] = restA.split('\n');
    auto [lineB, nextB] = restB.split('\n');
    if (lineA != lineB) {
      llvm::outs() << "traces differ at call " << call << ":\n  " << First << ": "
                   << (restA.empty() ? "(trace ended)" : lineA) << "\n  " << Second << ": "
                   << (restB.empty() ? "(trace ended)" : lineB) << "\n";
      return 1;
    }
    restA = nextA;
    restB = nextB;
  }
  llvm::outs() << "traces agree\n";
  return 0;
}

const bool registered = registerCommand(Compare, compareTraces);

} // namespace
} // namespace drawbridge::cli
