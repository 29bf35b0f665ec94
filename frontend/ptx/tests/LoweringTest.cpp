// Lowering tests that evaluate: each lowers a small PTX function, lets LLVM's optimiser fold it,
// and checks the constant it returns, so the IR's meaning (PTX's clamping, rounding and NaN
// rules) is tested rather than its spelling.
#include "drawbridge/ptx/Lowering.h"

#include "drawbridge/ptx/Parser.h"

#include <gtest/gtest.h>
#include <llvm/IR/Constants.h>
#include <llvm/IR/Instructions.h>

using namespace drawbridge::ptx;

namespace {

constexpr const char* kHeader = ".version 9.0\n.target sm_80\n.address_size 64\n";

std::string wrap(const std::string& body) {
  return ".visible .func (.param .b64 r) f()\n{\n"
         ".reg .b32 %r<10>; .reg .b64 %rd<10>; .reg .pred %p<5>; .reg .f32 %f<5>;\n" +
         body + "\nst.param.b64 [r], %rd9;\nret;\n}\n";
}

// Parses and lowers a module (the header added), reporting any error as a test failure.
std::unique_ptr<llvm::Module> lowerText(llvm::LLVMContext& ctx, const std::string& text) {
  auto module = parse(std::string(kHeader) + text);
  EXPECT_TRUE(module) << (module ? "" : module.error().message);
  if (!module)
    return nullptr;
  auto ir = lower(*module, ctx);
  EXPECT_TRUE(ir) << (ir ? "" : ir.error().message);
  if (!ir)
    return nullptr;
  auto problem = verify(**ir);
  EXPECT_FALSE(problem) << problem->message;
  return problem ? nullptr : std::move(*ir);
}

// The value the function leaves in %rd9, folded to a constant.
std::optional<uint64_t> evaluate(const std::string& body) {
  llvm::LLVMContext ctx;
  auto ir = lowerText(ctx, wrap(body));
  if (!ir)
    return std::nullopt;
  optimize(*ir, llvm::OptimizationLevel::O2);
  for (auto& block : *ir->getFunction("f"))
    if (auto* ret = llvm::dyn_cast<llvm::ReturnInst>(block.getTerminator()))
      if (auto* c = llvm::dyn_cast<llvm::ConstantInt>(ret->getReturnValue()))
        return c->getZExtValue();
  ADD_FAILURE() << "the result did not fold to a constant";
  return std::nullopt;
}

std::optional<uint64_t> evaluate32(const std::string& body) {
  return evaluate(body + "\ncvt.u64.u32 %rd9, %r9;");
}

TEST(LoweringSemantics, ShiftsClampLikePtx) {
  EXPECT_EQ(evaluate32("mov.u32 %r1, 1; mov.u32 %r2, 33; shl.b32 %r9, %r1, %r2;"), 0u);
  EXPECT_EQ(evaluate32("mov.u32 %r1, -8; mov.u32 %r2, 40; shr.s32 %r9, %r1, %r2;"), 0xffffffffu);
  EXPECT_EQ(evaluate32("mov.u32 %r1, -8; mov.u32 %r2, 40; shr.u32 %r9, %r1, %r2;"), 0u);
  EXPECT_EQ(evaluate32("mov.u32 %r1, 0x80000000; shr.u32 %r9, %r1, 31;"), 1u);
}

TEST(LoweringSemantics, BitFieldExtractAndInsert) {
  EXPECT_EQ(evaluate32("mov.u32 %r1, 0x12345678; bfe.u32 %r9, %r1, 8, 8;"), 0x56u);
  EXPECT_EQ(evaluate32("mov.u32 %r1, 0xF000; bfe.s32 %r9, %r1, 12, 4;"), 0xffffffffu);
  EXPECT_EQ(evaluate32("mov.u32 %r1, 0x12345678; bfe.u32 %r9, %r1, 8, 0;"), 0u);
  EXPECT_EQ(evaluate32("mov.u32 %r1, 0x82345678; bfe.s32 %r9, %r1, 40, 4;"), 0xffffffffu);
  EXPECT_EQ(evaluate32("mov.u32 %r1, 0x12345678; bfe.u32 %r9, %r1, 28, 10;"), 0x1u);
  EXPECT_EQ(evaluate32("mov.u32 %r1, 0xAB; mov.u32 %r2, 0x12345678; bfi.b32 %r9, %r1, %r2, 8, 8;"),
            0x1234AB78u);
  EXPECT_EQ(evaluate32("mov.u32 %r1, 0xAB; mov.u32 %r2, 0x12345678; bfi.b32 %r9, %r1, %r2, 32, 8;"),
            0x12345678u);
}

TEST(LoweringSemantics, PermuteLop3AndFunnelShift) {
  EXPECT_EQ(evaluate32("mov.u32 %r1, 0x33221100; mov.u32 %r2, 0x77665544;"
                       "prmt.b32 %r9, %r1, %r2, 0x5140;"),
            0x55114400u);
  // Selector 8 replicates the sign of byte 0; selector 0 copies it.
  EXPECT_EQ(evaluate32("mov.u32 %r1, 0x00000080; prmt.b32 %r9, %r1, 0, 0x0008;"), 0x808080ffu);
  EXPECT_EQ(evaluate32("mov.u32 %r1, 0x0F0F; mov.u32 %r2, 0x00FF; mov.u32 %r3, 0x3333;"
                       "lop3.b32 %r9, %r1, %r2, %r3, 0x96;"),
            0x3CC3u);
  EXPECT_EQ(evaluate32("mov.u32 %r1, 0xF0; mov.u32 %r2, 0xCC; mov.u32 %r3, 0xAA;"
                       "lop3.b32 %r9, %r1, %r2, %r3, 0x1E;"),
            0x1Eu);
  EXPECT_EQ(evaluate32("mov.u32 %r1, 0x80000000; shf.l.wrap.b32 %r9, %r1, 1, 1;"), 3u);
  EXPECT_EQ(evaluate32("mov.u32 %r1, 5; shf.r.clamp.b32 %r9, %r1, 7, 40;"), 7u);
  EXPECT_EQ(evaluate32("mov.u32 %r1, 0x0000F000; bfind.u32 %r9, %r1;"), 15u);
  EXPECT_EQ(evaluate32("bfind.u32 %r9, 0;"), 0xffffffffu);
}

TEST(LoweringSemantics, IntegerProductsAndDivision) {
  EXPECT_EQ(evaluate32("mov.u32 %r1, -2; mul.hi.s32 %r9, %r1, 3;"), 0xffffffffu);
  EXPECT_EQ(evaluate("mov.u32 %r1, 0xffffffff; mul.wide.u32 %rd9, %r1, 2;"), 0x1fffffffeu);
  EXPECT_EQ(evaluate32("mov.u32 %r1, 0x01000003; mul24.lo.u32 %r9, %r1, 5;"), 15u);
  EXPECT_EQ(evaluate32("mov.u32 %r1, 7; mov.u32 %r2, 0; div.u32 %r9, %r1, %r2;"), 7u);
  EXPECT_EQ(evaluate32("mov.u32 %r1, -7; rem.s32 %r9, %r1, 2;"), 0xffffffffu);
  EXPECT_EQ(evaluate32("mov.u32 %r1, 0x7fffffff; add.sat.s32 %r9, %r1, 1;"), 0x7fffffffu);
}

TEST(LoweringSemantics, CarryChainsExtendPrecision) {
  EXPECT_EQ(evaluate("mov.u32 %r1, 0xffffffff; add.cc.u32 %r3, %r1, 1; addc.u32 %r4, 0, 0;"
                     "mov.b64 %rd9, {%r3, %r4};"),
            0x100000000u);
  EXPECT_EQ(evaluate("mov.u32 %r1, 0; sub.cc.u32 %r3, %r1, 1; subc.u32 %r4, 5, 0;"
                     "mov.b64 %rd9, {%r3, %r4};"),
            0x4ffffffffu);
  EXPECT_EQ(evaluate("mov.u32 %r1, 0xffffffff; mad.lo.cc.u32 %r3, %r1, 1, 1;"
                     "madc.hi.u32 %r4, %r1, 1, 0; mov.b64 %rd9, {%r3, %r4};"),
            0x100000000u);
  // Without .cc the flag is left alone: addc sees the carry of the last .cc instruction.
  EXPECT_EQ(evaluate32("mov.u32 %r1, 0xffffffff; add.cc.u32 %r3, %r1, 1; add.u32 %r5, %r1, 1;"
                       "addc.u32 %r9, 0, 0;"),
            1u);
}

TEST(LoweringSemantics, DotProducts) {
  EXPECT_EQ(evaluate32("mov.u32 %r1, 0x01020304; mov.u32 %r2, 0x01010101;"
                       "dp4a.u32.u32 %r9, %r1, %r2, 10;"),
            20u);
  EXPECT_EQ(evaluate32("mov.u32 %r1, 0xFF000000; mov.u32 %r2, 0x02000000;"
                       "dp4a.s32.s32 %r9, %r1, %r2, 0;"),
            0xfffffffeu);
  EXPECT_EQ(evaluate32("mov.u32 %r1, 0x00020003; mov.u32 %r2, 0x07060504;"
                       "dp2a.lo.u32.u32 %r9, %r1, %r2, 0;"),
            3u * 4 + 2 * 5);
  EXPECT_EQ(evaluate32("mov.u32 %r1, 0x00020003; mov.u32 %r2, 0x07060504;"
                       "dp2a.hi.u32.u32 %r9, %r1, %r2, 1;"),
            1u + 3 * 6 + 2 * 7);
}

TEST(LoweringSemantics, FloatToIntegerRoundsAndSaturates) {
  EXPECT_EQ(evaluate32("mov.f32 %f1, 0f406CCCCD; cvt.rzi.s32.f32 %r9, %f1;"), 3u); // 3.7
  EXPECT_EQ(evaluate32("mov.f32 %f1, 0f40200000; cvt.rni.s32.f32 %r9, %f1;"), 2u); // 2.5
  EXPECT_EQ(evaluate32("mov.f32 %f1, 0fBFC00000; cvt.rmi.s32.f32 %r9, %f1;"),
            0xfffffffeu);                                                                   // -1.5
  EXPECT_EQ(evaluate32("mov.f32 %f1, 0f501502F9; cvt.rzi.s32.f32 %r9, %f1;"), 0x7fffffffu); // 1e10
  EXPECT_EQ(evaluate32("mov.f32 %f1, 0fC0A00000; cvt.rzi.u32.f32 %r9, %f1;"), 0u);          // -5
  EXPECT_EQ(evaluate32("mov.f32 %f1, 0f7FC00000; cvt.rzi.s32.f32 %r9, %f1;"), 0u);          // NaN
  EXPECT_EQ(evaluate32("mov.u32 %r1, 300; cvt.sat.u8.u32 %r2, %r1; cvt.u32.u8 %r9, %r2;"), 255u);
  EXPECT_EQ(evaluate32("mov.f32 %f1, 0f40000000; cvt.sat.f32.f32 %f2, %f1; mov.b32 %r9, %f2;"),
            0x3f800000u);
}

TEST(LoweringSemantics, ComparisonsKeepNaNRules) {
  const std::string nan = "mov.f32 %f1, 0f7FC00000; mov.f32 %f2, 0f3F800000;";
  EXPECT_EQ(evaluate32(nan + "setp.lt.f32 %p1, %f1, %f2; selp.u32 %r9, 1, 0, %p1;"), 0u);
  EXPECT_EQ(evaluate32(nan + "setp.ltu.f32 %p1, %f1, %f2; selp.u32 %r9, 1, 0, %p1;"), 1u);
  EXPECT_EQ(evaluate32(nan + "setp.ne.f32 %p1, %f1, %f2; selp.u32 %r9, 1, 0, %p1;"), 0u);
  EXPECT_EQ(evaluate32(nan + "min.f32 %f3, %f1, %f2; mov.b32 %r9, %f3;"), 0x3f800000u);
  EXPECT_EQ(evaluate32("mov.u32 %r1, -1; setp.lo.u32 %p1, %r1, 1; selp.u32 %r9, 1, 0, %p1;"), 0u);
  EXPECT_EQ(evaluate32("mov.u32 %r1, -1; setp.lt.s32 %p1, %r1, 1; selp.u32 %r9, 1, 0, %p1;"), 1u);
  EXPECT_EQ(evaluate32("mov.u32 %r1, 3; set.gt.u32.s32 %r9, %r1, 1;"), 0xffffffffu);
}

TEST(LoweringSemantics, FloatClassTests) {
  auto test = [](const std::string& value, const std::string& op) {
    return evaluate32("mov.f32 %f1, " + value + "; testp." + op +
                      ".f32 %p1, %f1; selp.u32 %r9, 1, 0, %p1;");
  };
  EXPECT_EQ(test("0f7F800000", "infinite"), 1u); // +inf
  EXPECT_EQ(test("0f7F800000", "finite"), 0u);
  EXPECT_EQ(test("0f7FC00000", "notanumber"), 1u); // NaN
  EXPECT_EQ(test("0f7FC00000", "number"), 0u);
  EXPECT_EQ(test("0f00000001", "subnormal"), 1u); // smallest subnormal
  EXPECT_EQ(test("0f00000001", "normal"), 0u);
  EXPECT_EQ(test("0f3F800000", "normal"), 1u); // 1.0
  EXPECT_EQ(test("0f00000000", "subnormal"), 0u);
}

TEST(LoweringSemantics, VectorPackUnpackAndHalfConversion) {
  EXPECT_EQ(evaluate("mov.u32 %r1, 0x11111111; mov.u32 %r2, 0x22222222;"
                     "mov.b64 %rd9, {%r1, %r2};"),
            0x2222222211111111u);
  EXPECT_EQ(evaluate32("mov.u64 %rd1, 0x2222222211111111; mov.b64 {%r1, %r9}, %rd1;"), 0x22222222u);
  EXPECT_EQ(evaluate32("mov.f32 %f1, 0f3F800000; mov.f32 %f2, 0f40000000;"
                       "cvt.rn.f16x2.f32 %r9, %f1, %f2;"),
            0x3C004000u);
}

TEST(LoweringSemantics, PredicatedInstructionsRunOnlyWhenTheGuardHolds) {
  EXPECT_EQ(evaluate32("mov.u32 %r9, 1; setp.eq.u32 %p1, %r9, 2; @%p1 mov.u32 %r9, 5;"), 1u);
  EXPECT_EQ(evaluate32("mov.u32 %r9, 1; setp.eq.u32 %p1, %r9, 2; @!%p1 mov.u32 %r9, 5;"), 5u);
}

// Structural checks: the NVVM dialect that backends expect.

TEST(LoweringDialect, KernelsAreAnnotatedAsClangDoes) {
  llvm::LLVMContext ctx;
  auto ir = lowerText(ctx, ".visible .entry k() .maxntid 128, 1, 1 { ret; }\n"
                           ".visible .func g() { ret; }");
  ASSERT_TRUE(ir);
  auto* annotations = ir->getNamedMetadata("nvvm.annotations");
  ASSERT_TRUE(annotations);
  ASSERT_EQ(annotations->getNumOperands(), 4u); // kernel + maxntid x, y, z
  auto* first = annotations->getOperand(0);
  EXPECT_EQ(llvm::mdconst::extract<llvm::Function>(first->getOperand(0))->getName(), "k");
  EXPECT_EQ(llvm::cast<llvm::MDString>(first->getOperand(1))->getString(), "kernel");
  EXPECT_EQ(ir->getTargetTriple(), "nvptx64-nvidia-cuda");
  EXPECT_EQ(ir->getFunction("k")->getFnAttribute("target-cpu").getValueAsString(), "sm_80");
}

TEST(LoweringDialect, VariablesLiveInNvptxAddressSpaces) {
  llvm::LLVMContext ctx;
  auto ir = lowerText(ctx, ".global .u32 g[4] = {1, 2};\n.const .f32 c;\n"
                           ".extern .shared .align 16 .b8 dyn[];\n"
                           ".visible .entry k() { .shared .u32 s[8]; ret; }");
  ASSERT_TRUE(ir);
  EXPECT_EQ(ir->getNamedGlobal("g")->getAddressSpace(), 1u);
  EXPECT_EQ(ir->getNamedGlobal("c")->getAddressSpace(), 4u);
  EXPECT_EQ(ir->getNamedGlobal("dyn")->getAddressSpace(), 3u);
  EXPECT_TRUE(ir->getNamedGlobal("dyn")->isDeclaration());
  EXPECT_EQ(ir->getNamedGlobal("s")->getAddressSpace(), 3u);
  auto* init = llvm::cast<llvm::ConstantDataArray>(ir->getNamedGlobal("g")->getInitializer());
  EXPECT_EQ(init->getElementAsInteger(1), 2u);
  EXPECT_EQ(init->getElementAsInteger(3), 0u);
}

TEST(LoweringErrors, UnsupportedInstructionsAreNamedWithTheirPosition) {
  auto module = parse(std::string(kHeader) +
                      ".entry k() {\n.reg .f32 %f<5>; .reg .b64 %rd<2>;\n"
                      "tex.2d.v4.f32.f32 {%f1, %f2, %f3, %f4}, [%rd1, {%f1, %f2}], {%f3, %f3};\n}");
  ASSERT_TRUE(module) << module.error().message;
  llvm::LLVMContext ctx;
  auto ir = lower(*module, ctx);
  ASSERT_FALSE(ir);
  EXPECT_EQ(ir.error().message,
            "unsupported PTX instruction 'tex.2d.v4.f32.f32' at 6:1 (texel offsets and depth "
            "comparisons are not supported)");
}

TEST(LoweringErrors, ContainedFailuresLeaveOutOnlyTheKernelsThatNeedThem) {
  // `direct` has the instruction, `indirect` calls a function that has it; `good` calls a
  // function both good and bad kernels share.
  auto module = parse(std::string(kHeader) +
                      ".func shared_helper() { ret; }\n"
                      ".func bad_helper() {\npmevent 2;\nret;\n}\n"
                      ".entry direct() {\npmevent 1;\nret;\n}\n"
                      ".entry indirect() {\ncall shared_helper;\ncall bad_helper;\nret;\n}\n"
                      ".entry good() {\ncall shared_helper;\nret;\n}\n");
  ASSERT_TRUE(module) << module.error().message;
  llvm::LLVMContext ctx;
  std::vector<FunctionFailure> failed;
  auto ir = lower(*module, ctx, {.failedKernels = &failed});
  ASSERT_TRUE(ir) << ir.error().message;
  EXPECT_FALSE(verify(**ir));
  ASSERT_EQ(failed.size(), 2u);
  EXPECT_EQ(failed[0].function, "direct");
  EXPECT_EQ(failed[0].message, "unsupported PTX instruction 'pmevent' at 10:1");
  EXPECT_EQ(failed[1].function, "indirect");
  EXPECT_EQ(failed[1].message.find("it calls 'bad_helper', which cannot be compiled: "
                                   "unsupported PTX instruction 'pmevent' at 6:1"),
            0u)
      << failed[1].message;
  EXPECT_TRUE((*ir)->getFunction("direct")->isDeclaration());
  EXPECT_TRUE((*ir)->getFunction("indirect")->isDeclaration());
  EXPECT_FALSE((*ir)->getFunction("good")->isDeclaration());
  EXPECT_FALSE((*ir)->getFunction("shared_helper")->isDeclaration());

  // Without a place for them, the first failure fails the module, as before.
  EXPECT_FALSE(lower(*module, ctx));
}

} // namespace
