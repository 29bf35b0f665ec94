#include "Passes.h"
#include "SpecialRegisters.h"
#include "drawbridge/ptx/Parser.h"

#include <gtest/gtest.h>

using namespace drawbridge::ptx;

namespace {

drawbridge::Expected<Module> parseBody(const std::string& body) {
  return parse(".version 9.0\n.target sm_80\n.address_size 64\n"
               ".global .u32 g;\n.entry k(.param .u64 k_p)\n{\n" +
               body + "\n}\n");
}

const Instruction& instruction(const Module& m, size_t n) {
  size_t seen = 0;
  for (const auto& s : m.functions.back().body)
    if (const auto* inst = std::get_if<Instruction>(&s))
      if (seen++ == n)
        return *inst;
  throw std::out_of_range("no such instruction");
}

TEST(ResolveSymbols, BindsRangeRegistersSpecialsParamsAndGlobals) {
  auto m = parseBody(".reg .b32 %r<8>; .reg .b64 %rd<2>;\n"
                     "mov.u32 %r7, %tid.y; ld.param.u64 %rd1, [k_p]; mov.u64 %rd0, g;");
  ASSERT_TRUE(m) << m.error().message;
  const auto& mov = instruction(*m, 0);
  EXPECT_EQ(mov.operands[0].ref.kind, RefKind::Local);
  EXPECT_EQ(mov.operands[0].ref.element, 7u);
  EXPECT_EQ(mov.operands[1].ref.kind, RefKind::Special);
  EXPECT_EQ(mov.operands[1].ref.index, static_cast<uint32_t>(SpecialRegister::Tid));
  EXPECT_EQ(mov.operands[1].ref.element, 1u);
  EXPECT_EQ(instruction(*m, 1).operands[1].ref.kind, RefKind::Param);
  EXPECT_EQ(instruction(*m, 2).operands[1].ref.kind, RefKind::Global);
}

TEST(ResolveSymbols, InnerScopesShadowAndEndWithTheirBlock) {
  auto m = parseBody(".reg .b32 %r<2>;\n"
                     "{ .param .b32 p0; st.param.b32 [p0], %r1; }\n"
                     "{ .param .b64 p0; st.param.b64 [p0], 0; }");
  ASSERT_TRUE(m) << m.error().message;
  uint32_t first = instruction(*m, 0).operands[0].ref.index;
  uint32_t second = instruction(*m, 1).operands[0].ref.index;
  EXPECT_NE(first, second);
  EXPECT_EQ(m->functions.back().locals[second].type, ScalarType::B64);

  auto outside = parseBody("{ .reg .b32 inner; }\nmov.u32 inner, 1;");
  ASSERT_FALSE(outside);
  EXPECT_EQ(outside.error().message, "8:9: unknown symbol 'inner'");
}

TEST(ResolveSymbols, BindsLabelsForwardAndBackward) {
  auto m = parseBody("bra.uni $L_end;\n$L_top:\nbra $L_top;\n$L_end:\nret;");
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(instruction(*m, 0).operands[0].ref.kind, RefKind::Label);
  EXPECT_EQ(instruction(*m, 0).operands[0].ref.index, 1u);
  EXPECT_EQ(instruction(*m, 1).operands[0].ref.index, 0u);
}

TEST(ResolveSymbols, ReportsUnknownAndOutOfRangeNames) {
  auto unknown = parseBody(".reg .b32 %r<2>;\nadd.s32 %r1, %q1, 1;");
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().message, "8:14: unknown register '%q1' in 'k'");
  auto range = parseBody(".reg .b32 %r<2>;\nmov.u32 %r2, 1;");
  ASSERT_FALSE(range);
  EXPECT_EQ(range.error().message, "8:9: register '%r2' is outside its declaration '%r<2>'");
  auto component = parseBody(".reg .b32 %r<2>;\nmov.u32 %r1, %tid;");
  ASSERT_FALSE(component);
  EXPECT_EQ(component.error().message,
            "8:14: special register '%tid' needs a component (.x, .y or .z)");
  auto perf = parseBody(".reg .b32 %r<2>;\nmov.u32 %r1, %pm0;");
  ASSERT_FALSE(perf);
  EXPECT_EQ(perf.error().message, "8:14: unsupported special register '%pm0'");
  auto twice = parseBody("$L:\n$L:\nret;");
  ASSERT_FALSE(twice);
  EXPECT_EQ(twice.error().message, "8:1: label '$L' is defined twice");
}

TEST(CheckOperands, RejectsRegistersOfTheWrongWidth) {
  auto m = parseBody(".reg .b32 %r<2>; .reg .b64 %rd<2>;\nadd.s32 %r1, %rd1, 1;");
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().message, "8:14: operand '%rd1' is .b64 but 'add.s32' works on 32-bit values");
  // mul.wide writes a register twice the type's width, which is right.
  EXPECT_TRUE(parseBody(".reg .b32 %r<2>; .reg .b64 %rd<2>;\nmul.wide.s32 %rd1, %r1, 4;"));
}

TEST(CheckOperands, RejectsGuardsThatAreNotPredicates) {
  auto m = parseBody(".reg .b32 %r<2>;\n@%r1 ret;");
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().message, "8:2: guard '%r1' is not a .pred register");
}

} // namespace
