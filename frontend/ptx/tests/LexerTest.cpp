#include "Lexer.h"

#include <gtest/gtest.h>
#include <vector>

using namespace drawbridge::ptx;

namespace {

std::vector<Token> lexAll(std::string_view text) {
  Lexer lexer(text);
  std::vector<Token> tokens;
  for (Token t = lexer.next(); t.kind != Token::Kind::End; t = lexer.next())
    tokens.push_back(t);
  return tokens;
}

TEST(Lexer, SplitsOpcodeModifiersAndOperands) {
  auto t = lexAll("ld.global.v4.f32 {%f1, %f2}, [%rd1+16];");
  ASSERT_EQ(t.size(), 16u);
  EXPECT_EQ(t[0].kind, Token::Kind::Identifier);
  EXPECT_EQ(t[0].text, "ld");
  EXPECT_TRUE(t[1].isDot("global"));
  EXPECT_TRUE(t[2].isDot("v4"));
  EXPECT_TRUE(t[3].isDot("f32"));
  EXPECT_TRUE(t[4].is('{'));
  EXPECT_EQ(t[5].text, "%f1");
  EXPECT_TRUE(t[10].is('['));
  EXPECT_EQ(t[11].text, "%rd1");
  EXPECT_TRUE(t[12].is('+'));
  EXPECT_EQ(t[13].kind, Token::Kind::Integer);
  EXPECT_EQ(t[13].text, "16");
}

TEST(Lexer, TracksLinesAndColumnsAcrossComments) {
  auto t = lexAll("// header\n  add.s32 /* inline */ %r1,\n\t%r2;");
  ASSERT_GE(t.size(), 6u);
  EXPECT_EQ(t[0].loc.line, 2u);
  EXPECT_EQ(t[0].loc.column, 3u);
  EXPECT_EQ(t[2].text, "%r1");
  EXPECT_EQ(t[2].loc.column, 24u);
  EXPECT_EQ(t[4].loc.line, 3u);
  EXPECT_EQ(t[4].loc.column, 2u);
}

TEST(Lexer, ReadsEveryLiteralForm) {
  auto t = lexAll("0f3F800000 0d3FF0000000000000 0x1F 017 0b101 42U 1.5 2e3");
  ASSERT_EQ(t.size(), 8u);
  EXPECT_EQ(t[0].kind, Token::Kind::Float);
  EXPECT_EQ(t[1].kind, Token::Kind::Float);
  EXPECT_EQ(t[2].kind, Token::Kind::Integer);
  EXPECT_EQ(t[3].kind, Token::Kind::Integer);
  EXPECT_EQ(t[4].kind, Token::Kind::Integer);
  EXPECT_EQ(t[5].text, "42U");
  EXPECT_EQ(t[6].kind, Token::Kind::Float);
  EXPECT_EQ(t[7].kind, Token::Kind::Float);
}

TEST(Lexer, KeepsQualifiedModifiersTogether) {
  auto t = lexAll("ld.shared::cta.L2::evict_last.u32");
  ASSERT_EQ(t.size(), 4u);
  EXPECT_TRUE(t[1].isDot("shared::cta"));
  EXPECT_TRUE(t[2].isDot("L2::evict_last"));
}

TEST(Lexer, ReportsStrayCharactersAndUnterminatedStrings) {
  auto t = lexAll("mov.u32 %r1, #3;");
  ASSERT_GE(t.size(), 5u);
  EXPECT_EQ(t[4].kind, Token::Kind::Invalid);
  EXPECT_EQ(t[4].text, "#");
  auto s = lexAll(".pragma \"nounroll;\n");
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[1].kind, Token::Kind::Invalid);
}

} // namespace
