#include "Compiler.h"

#include "LoweringDigest.h"
#include "lowering/AnalysisManagers.h"
#include "lowering/Lowering.h"

#include <cstdlib>
#include <llvm/Config/llvm-config.h>
#include <llvm/IR/LegacyPassManager.h>
#include <llvm/IR/Verifier.h>
#include <llvm/IRReader/IRReader.h>
#include <llvm/MC/TargetRegistry.h>
#include <llvm/Passes/PassBuilder.h>
#include <llvm/Support/CommandLine.h>
#include <llvm/Support/SmallVectorMemoryBuffer.h>
#include <llvm/Support/SourceMgr.h>
#include <llvm/Support/TargetSelect.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/TargetParser/Host.h>

namespace drawbridge::backend::cpu {

namespace {

// Objects from another build's lowering must not be reused: the cache key carries a digest of
// the lowering's sources, made at build time (LoweringDigest.cmake).
constexpr const char* kLoweringVersion = DRAWBRIDGE_LOWERING_DIGEST;

/// Modules larger than this many instructions after optimization are compiled to machine code
/// without the code generator's optimizations, whose time grows faster than linearly with the
/// size of a block (the scheduler's dependence graph): ggml's quantized matmul for 128 columns
/// compiled in 426 s with them and 108 s without, and 130k instructions of straight code take
/// llc 40 s at -O1 and 0.3 s at -O0.
constexpr size_t kLargeModule = 100000;

void optimize(llvm::Module& module, llvm::TargetMachine& target) {
  llvm::PipelineTuningOptions tuning;
  tuning.LoopVectorization = true;
  tuning.SLPVectorization = true;
  llvm::PassBuilder builder(&target, tuning);
  AnalysisManagers analyses(builder);
  builder.buildPerModuleDefaultPipeline(llvm::OptimizationLevel::O3).run(module, analyses.module);
}

/// LLVM 19.1.7's SLP vectorizer miscompiles horizontal reductions it builds for AVX-512 from
/// dp4a chains that share their operands: ggml's mxfp4 matrix-vector product for 5 and 6
/// columns summed the wrong products for 4 of its 10 accumulators (the same IR is right with
/// SLP off, with horizontal reductions off, and when compiled for AVX2; code generation at -O0
/// does not mend it, so the vectorized IR is wrong). Horizontal reductions are turned off, which
/// costs the bench kernels nothing: under callgrind the warp-per-row GEMV executes 8% fewer
/// instructions without them, RMSNorm 0.6% fewer, the others the same. LLVM's options belong to
/// the process, so this holds for every module libLLVM compiles in it; it is set once, as a
/// second occurrence of an option is an error.
void avoidSlpReductionMiscompile() {
  static const bool done = [] {
    llvm::StringMap<llvm::cl::Option*>& options = llvm::cl::getRegisteredOptions();
    if (auto found = options.find("slp-vectorize-hor"); found != options.end())
      found->second->addOccurrence(0, "slp-vectorize-hor", "false");
    return true;
  }();
  (void)done;
}

/// DRAWBRIDGE_CPU_DUMP_DIR=<dir> writes each module there as lowered (<name>.lowered.ll, what
/// `opt -O3 -pass-remarks-missed=loop-vectorize` explains) and as optimized (<name>.ll), to see
/// what a kernel became.
void dumpIfAsked(const llvm::Module& module, std::string_view name) {
  const char* directory = std::getenv("DRAWBRIDGE_CPU_DUMP_DIR");
  if (!directory || !*directory)
    return;
  std::error_code error;
  llvm::raw_fd_ostream out(std::string(directory) + "/" + std::string(name) + ".ll", error);
  if (!error)
    module.print(out, nullptr);
}

} // namespace

Outcome<std::unique_ptr<Compiler>> Compiler::create(Arithmetic arithmetic) {
  avoidSlpReductionMiscompile();
  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();
  std::string triple = llvm::sys::getProcessTriple();
  std::string error;
  const llvm::Target* target = llvm::TargetRegistry::lookupTarget(triple, error);
  if (!target)
    return failure(StatusCode::NotSupported, "no LLVM code generator for this host: " + error);
  std::string cpu = llvm::sys::getHostCPUName().str();
  std::string features;
  for (const auto& feature : llvm::sys::getHostCPUFeatures())
    features += (feature.second ? "+" : "-") + feature.first().str() + ",";
  llvm::TargetOptions options;
  // Loops start on 32-byte boundaries (x86's default is 16), so a kernel's hot loop does not
  // run faster or slower by where unrelated code before it happens to end: one select more in
  // the tiled matmul's last region moved its inner loop and cost 12% (cpu_bench_arithmetic).
  options.LoopAlignment = 32;
  std::unique_ptr<llvm::TargetMachine> machine(
      target->createTargetMachine(triple, cpu, features, options, llvm::Reloc::PIC_, std::nullopt,
                                  llvm::CodeGenOptLevel::Aggressive));
  if (!machine)
    return failure(StatusCode::NotSupported, "cannot create an LLVM target machine for " + triple);
  std::string configuration = std::string("llvm-") + LLVM_VERSION_STRING + ";" + kLoweringVersion +
                              (arithmetic == Arithmetic::Host ? ";host-arithmetic;" : ";") +
                              triple + ";" + cpu + ";" + features;
  return std::unique_ptr<Compiler>(
      new Compiler(std::move(machine), arithmetic, std::move(configuration)));
}

Outcome<std::unique_ptr<llvm::Module>>
Compiler::parse(std::span<const std::byte> ir, std::string_view name, llvm::LLVMContext& context) {
  llvm::SMDiagnostic diagnostic;
  // The text parser needs a terminating NUL, which the caller's bytes need not have.
  std::unique_ptr<llvm::MemoryBuffer> buffer = llvm::MemoryBuffer::getMemBufferCopy(
      llvm::StringRef(reinterpret_cast<const char*>(ir.data()), ir.size()), name);
  std::unique_ptr<llvm::Module> module = llvm::parseIR(*buffer, diagnostic, context);
  if (!module) {
    std::string message;
    llvm::raw_string_ostream stream(message);
    diagnostic.print(std::string(name).c_str(), stream);
    return failure(StatusCode::InvalidSource, "cannot parse NVVM IR: " + message);
  }
  std::string problems;
  llvm::raw_string_ostream problemStream(problems);
  if (llvm::verifyModule(*module, &problemStream))
    return failure(StatusCode::InvalidSource,
                   "NVVM IR module '" + std::string(name) + "' is invalid: " + problems);
  return module;
}

Outcome<std::unique_ptr<llvm::MemoryBuffer>> Compiler::compile(llvm::Module& module,
                                                               std::string_view name) {
  std::string problems;
  llvm::raw_string_ostream problemStream(problems);
  std::lock_guard lock(mutex_);
  if (llvm::Error error = lowerModule(module, *target_, arithmetic_))
    return failure(StatusCode::InvalidSource, llvm::toString(std::move(error)));
  if (llvm::verifyModule(module, &problemStream))
    return failure(StatusCode::Unknown, "internal error: lowering module '" + std::string(name) +
                                            "' produced invalid IR: " + problems);
  dumpIfAsked(module, std::string(name) + ".lowered");
  optimize(module, *target_);
  dumpIfAsked(module, name);

  llvm::SmallVector<char, 0> object;
  llvm::raw_svector_ostream objectStream(object);
  size_t instructions = 0;
  for (const llvm::Function& function : module)
    instructions += function.getInstructionCount();
  target_->setOptLevel(instructions > kLargeModule ? llvm::CodeGenOptLevel::None
                                                   : llvm::CodeGenOptLevel::Aggressive);
  llvm::legacy::PassManager codegen;
  if (target_->addPassesToEmitFile(codegen, objectStream, nullptr,
                                   llvm::CodeGenFileType::ObjectFile))
    return failure(StatusCode::NotSupported, "the host code generator cannot emit objects");
  codegen.run(module);
  return std::unique_ptr<llvm::MemoryBuffer>(
      new llvm::SmallVectorMemoryBuffer(std::move(object), std::string(name) + ".o", false));
}

} // namespace drawbridge::backend::cpu
