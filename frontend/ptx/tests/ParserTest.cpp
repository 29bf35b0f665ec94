#include "drawbridge/ptx/Parser.h"

#include <gtest/gtest.h>

using namespace drawbridge::ptx;

namespace {

constexpr const char* kHeader = ".version 9.0\n.target sm_80\n.address_size 64\n";

Module parseOk(const std::string& body) {
  auto m = parse(std::string(kHeader) + body);
  EXPECT_TRUE(m) << (m ? "" : m.error().message);
  return m ? std::move(*m) : Module{};
}

std::string parseError(const std::string& text) {
  auto m = parse(text);
  EXPECT_FALSE(m);
  return m ? "" : m.error().message;
}

TEST(Parser, ReadsModuleDirectives) {
  Module m = parseOk("");
  EXPECT_EQ(m.versionMajor, 9u);
  EXPECT_EQ(m.versionMinor, 0u);
  EXPECT_EQ(m.target, "sm_80");
  EXPECT_EQ(m.addressSize, 64u);
}

TEST(Parser, ReadsKernelSignatureAndPerformanceDirectives) {
  Module m = parseOk(".visible .entry k(.param .u64 k_p0, .param .align 8 .b8 k_p1[16])\n"
                     ".maxntid 256, 1, 1 .minnctapersm 2\n{ ret; }\n");
  ASSERT_EQ(m.functions.size(), 1u);
  const Function& f = m.functions[0];
  EXPECT_TRUE(f.isKernel);
  EXPECT_EQ(f.linkage, Linkage::Visible);
  ASSERT_EQ(f.params.size(), 2u);
  EXPECT_EQ(f.params[0].type, ScalarType::U64);
  EXPECT_EQ(f.params[1].alignment, 8u);
  EXPECT_EQ(f.params[1].sizeInBytes(), 16u);
  EXPECT_EQ(f.maxntid, (std::vector<uint32_t>{256, 1, 1}));
  EXPECT_EQ(f.minnctapersm, 2u);
}

TEST(Parser, ReadsVariablesWithArraysAlignmentAndInitializers) {
  Module m = parseOk(".global .align 4 .u32 table[2][3] = {{1, 2, 3}, {4, 5, 6}};\n"
                     ".const .f32 scale = 0f40000000;\n"
                     ".extern .shared .align 16 .b8 dyn[];\n");
  ASSERT_EQ(m.globals.size(), 3u);
  EXPECT_EQ(m.globals[0].dimensions, (std::vector<uint64_t>{2, 3}));
  EXPECT_EQ(m.globals[0].initializer.size(), 6u);
  EXPECT_EQ(m.globals[0].initializer[5].bits, 6u);
  EXPECT_EQ(m.globals[1].space, StateSpace::Const);
  EXPECT_EQ(m.globals[1].initializer[0].bits, 0x40000000u);
  EXPECT_EQ(m.globals[2].linkage, Linkage::Extern);
  EXPECT_EQ(m.globals[2].elementCount(), 0u);
}

// __managed__ variables: device memory is host memory on Drawbridge's backends, so a managed
// global is an ordinary one; any other attribute is an error.
TEST(Parser, ReadsManagedGlobalsAsGlobals) {
  Module m = parseOk(".global .attribute(.managed) .align 4 .u32 hits;\n");
  ASSERT_EQ(m.globals.size(), 1u);
  EXPECT_EQ(m.globals[0].name, "hits");
  EXPECT_EQ(m.globals[0].space, StateSpace::Global);
  EXPECT_EQ(m.globals[0].alignment, 4u);
  EXPECT_EQ(parseError(std::string(kHeader) + ".global .attribute(.unified) .u32 x;"),
            "4:20: expected .managed in .attribute(...), found '.unified'");
}

TEST(Parser, ReadsAddressInitializersAndInfersUnsizedExtents) {
  Module m = parseOk(".global .u32 x;\n.global .u64 p = generic(x);\n"
                     ".global .u64 t[] = {x, p, 7};\n");
  ASSERT_EQ(m.globals.size(), 3u);
  ASSERT_EQ(m.globals[1].initializer.size(), 1u);
  EXPECT_EQ(m.globals[1].initializer[0].kind, Variable::Initializer::Kind::Symbol);
  EXPECT_EQ(m.globals[1].initializer[0].symbol, "x");
  EXPECT_TRUE(m.globals[1].initializer[0].generic);
  EXPECT_FALSE(m.globals[2].initializer[0].generic);
  EXPECT_EQ(m.globals[2].dimensions, (std::vector<uint64_t>{3}));
  EXPECT_EQ(m.globals[2].initializer[2].bits, 7u);
}

TEST(Parser, ClassifiesModifiersInAnyOrder) {
  Module m = parseOk(".entry k() { .reg .f32 %f<5>; .reg .b64 %rd<2>;\n"
                     "ld.global.nc.v4.f32 {%f1, %f2, %f3, %f4}, [%rd1+16]; ret; }");
  const auto& inst = std::get<Instruction>(m.functions[0].body[3]);
  EXPECT_EQ(inst.opcode, "ld");
  EXPECT_EQ(inst.space, StateSpace::Global);
  EXPECT_EQ(inst.vectorWidth, 4u);
  ASSERT_EQ(inst.types.size(), 1u);
  EXPECT_EQ(inst.types[0], ScalarType::F32);
  EXPECT_TRUE(inst.has("nc"));
  EXPECT_EQ(inst.operands[0].kind, Operand::Kind::Vector);
  EXPECT_EQ(inst.operands[1].kind, Operand::Kind::Address);
  EXPECT_EQ(inst.operands[1].value, 16);
  EXPECT_EQ(inst.spelling(), "ld.global.nc.v4.f32");
}

TEST(Parser, ReadsGuardsNegationAndPairedDestinations) {
  Module m = parseOk(".entry k() { .reg .pred %p<3>; .reg .b32 %r<4>;\n"
                     "@!%p1 shfl.sync.bfly.b32 %r1|%p2, %r2, 1, 31, -1; ret; }");
  const auto& inst = std::get<Instruction>(m.functions[0].body[3]);
  ASSERT_TRUE(inst.guard);
  EXPECT_TRUE(inst.guard->negated);
  EXPECT_EQ(inst.operands[0].pairedPredicate, "%p2");
  EXPECT_EQ(inst.operands[4].value, -1);
}

TEST(Parser, ReadsCallSequencesAndPrototypes) {
  Module m = parseOk(".func (.param .b32 r) f(.param .b32 a) { st.param.b32 [r], 1; ret; }\n"
                     ".entry k() { .reg .b32 %r<2>; .reg .b64 %rd<2>;\n"
                     "{ .param .b32 p0; .param .b32 r0; st.param.b32 [p0], 3;\n"
                     "proto: .callprototype (.param .b32 _) _ (.param .b32 _);\n"
                     "call (r0), %rd1, (p0), proto; ld.param.b32 %r1, [r0]; } ret; }");
  const Function& k = m.functions[1];
  ASSERT_EQ(k.prototypes.size(), 1u);
  EXPECT_EQ(k.prototypes[0].params.size(), 1u);
  EXPECT_EQ(k.prototypes[0].returns.size(), 1u);
}

TEST(Parser, SkipsDebugSectionsAndLocations) {
  Module m = parseOk(".file 1 \"a.cu\"\n.entry k() {\n.loc 1 2 3\nret; }\n"
                     ".section .debug_info { .b8 1, 2\n.b32 3 }\n");
  EXPECT_EQ(m.files.size(), 2u);
  EXPECT_EQ(m.files[1], "a.cu");
  EXPECT_EQ(m.functions.size(), 1u);
}

TEST(Parser, ErrorsNamePositionTextAndExpectation) {
  std::string e = parseError(std::string(kHeader) + ".entry k() {\n  add.s32 %r1 %r2;\n}");
  EXPECT_EQ(e, "5:15: expected ';', found '%r2'");
  e = parseError(std::string(kHeader) + ".entry k(.param .q32 x) { ret; }");
  EXPECT_EQ(e, "4:17: expected a type, .align or .v2/.v4 in a declaration, found '.q32'");
  e = parseError(std::string(kHeader) + ".entry k() { ret;");
  EXPECT_EQ(e, "4:18: expected '}' to close the body of 'k', found end of file");
}

TEST(Parser, NamesUnsupportedDirectives) {
  EXPECT_EQ(parseError(std::string(kHeader) + ".entry k() .explicitcluster { ret; }"),
            "4:12: unsupported PTX directive '.explicitcluster' (thread-block clusters are not "
            "supported)");
  EXPECT_EQ(parseError(std::string(kHeader) + ".entry k() { .sreg .u32 x; }"),
            "4:14: unsupported PTX directive '.sreg' in a function body");
}

TEST(Parser, RejectsNewerIsaAndBadLiterals) {
  EXPECT_EQ(parseError(".version 9.1\n"),
            "1:10: PTX ISA 9.1 is newer than this frontend supports (up to 9.0)");
  EXPECT_EQ(parseError(std::string(kHeader) + ".global .u32 x = 99999999999999999999999;"),
            "4:18: integer literal '99999999999999999999999' is malformed or does not fit in 64 "
            "bits");
  EXPECT_EQ(parseError(std::string(kHeader) + ".entry k() { mov.f32 %f1, 0f3F80; }"),
            "4:27: expected 0f followed by 8 hex digits, found '0f3F80'");
}

} // namespace
