#include "drawbridge/model/Json.h"

#include <gtest/gtest.h>

using namespace drawbridge::model;

namespace {

TEST(Json, ReadsEveryKind) {
  auto json =
      parseJson(R"( {"a": [1, -2.5e1, true, false, null], "b": "x\"y\u00e9\ud83d\ude00"} )");
  ASSERT_TRUE(json) << json.error().message;
  const Json* a = json->find("a");
  ASSERT_TRUE(a && a->isArray());
  ASSERT_EQ(a->items().size(), 5u);
  EXPECT_TRUE(a->items()[0].isInteger());
  EXPECT_EQ(a->items()[0].asInteger(), 1);
  EXPECT_EQ(a->items()[1].asNumber(), -25.0);
  EXPECT_FALSE(a->items()[1].isInteger() && a->items()[1].asNumber() != -25.0);
  EXPECT_TRUE(a->items()[2].asBool());
  EXPECT_FALSE(a->items()[3].asBool());
  EXPECT_TRUE(a->items()[4].isNull());
  EXPECT_EQ(json->find("b")->asString(), "x\"y\xc3\xa9\xf0\x9f\x98\x80");
  EXPECT_EQ(json->find("missing"), nullptr);
}

TEST(Json, WriteThenReadIsIdentity) {
  Json object = Json::object();
  object.set("offsets", Json::array({Json(int64_t{0}), Json(int64_t{1} << 40)}));
  object.set("eps", 1e-5);
  object.set("text", "tab\there \"quoted\" \x01");
  object.set("nested", Json::object({{"flag", Json(true)}, {"none", Json()}}));
  for (int indent : {0, 2}) {
    std::string text = writeJson(object, indent);
    auto back = parseJson(text);
    ASSERT_TRUE(back) << back.error().message;
    EXPECT_EQ(writeJson(*back, indent), text);
    EXPECT_EQ(back->find("offsets")->items()[1].asInteger(), int64_t{1} << 40);
    EXPECT_EQ(back->find("eps")->asNumber(), 1e-5);
    EXPECT_EQ(back->find("text")->asString(), "tab\there \"quoted\" \x01");
  }
  EXPECT_EQ(writeJson(Json::array({Json(1), Json(2)})), "[1,2]");
}

TEST(Json, ErrorsSayWhereAndWhat) {
  struct Case {
    const char* text;
    const char* expected;
  };
  const Case cases[] = {
      {"", "at byte 0: unexpected end of input"},
      {"{\"a\" 1}", "expected ':'"},
      {"[1, 2", "expected ',' or ']'"},
      {"{\"a\": 1,}", "expected a string key"},
      {"\"abc", "unterminated string"},
      {"01", "leading zero"},
      {"1.", "expected digits after '.'"},
      {"{\"a\":1, \"a\":2}", "duplicate key \"a\""},
      {"[1] x", "unexpected text after"},
      {"\"\\ud800\"", "unpaired surrogate"},
      {"\"\\q\"", "unknown escape"},
      {"tru", "unexpected character 't'"},
  };
  for (const Case& c : cases) {
    auto json = parseJson(c.text);
    ASSERT_FALSE(json) << c.text;
    EXPECT_NE(json.error().message.find(c.expected), std::string::npos)
        << c.text << " gave: " << json.error().message;
  }
}

TEST(Json, DeepNestingIsAnErrorNotACrash) {
  std::string deep(100000, '[');
  auto json = parseJson(deep);
  ASSERT_FALSE(json);
  EXPECT_NE(json.error().message.find("nesting deeper"), std::string::npos);
}

} // namespace
