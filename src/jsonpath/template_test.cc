#include "jsonpath/template.h"

#include <gtest/gtest.h>

#include <string>

namespace inflow::jsonpath {
namespace {

// The event of the reference implementation's transform tests (BaseTransformTest), plus a few
// members for escaping and EB_SYS_EMBED_OBJECT.
constexpr std::string_view kEvent = R"({
    "specversion":"1.0",
    "id":"51efe8e2-841f-4900-8ff5-3c6dfae1060e",
    "source":"acs.oss",
    "type":"oss:ObjectCreated:PostObject",
    "data":{
        "null":null,
        "text":"100",
        "number":100,
        "boolean":false,
        "cn":"中国",
        "array":[{"level2-1":"level2-1"},{"level2-2":"level2-2"}],
        "quote":"say \"hi\"\\ and\nbye\u0001",
        "dollar":"${number}",
        "empty":"",
        "emptyobj":{},
        "row":{"id":7,"name":"ann","tags":["a","b"]}
    }
})";

class TemplateTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_FALSE(parser_.parse(kEvent.data(), kEvent.size()).get(event_)); }

  std::string Render(std::string_view params, std::string_view text) {
    auto t = Template::Compile(params, text);
    EXPECT_TRUE(t.has_value()) << t.error().ToString();
    if (!t) return "<compile error>";
    return t->Render(event_);
  }

  // True when `text` parses as JSON.
  bool IsJson(const std::string& text) {
    simdjson::dom::parser p;
    simdjson::dom::element e;
    return !p.parse(text).get(e);
  }

  simdjson::dom::parser parser_;
  simdjson::dom::element event_;
};

TEST_F(TemplateTest, RendersReferenceJsonTemplate) {
  EXPECT_EQ(Render(R"({"text":"$.data.text","number":"$.data.number"})",
                   "{\n  \"text\":\"${text}\",\n  \"number\":${number},\n  \"data\":\"666\"\n}"),
            "{\n  \"text\":\"100\",\n  \"number\":100,\n  \"data\":\"666\"\n}");
}

TEST_F(TemplateTest, RendersPlainText) {
  EXPECT_EQ(
      Render(R"({"text":"$.data.text","number":"$.data.number"})", "The ${text} = ${number}!"),
      "The 100 = 100!");
}

TEST_F(TemplateTest, EmptyParametersLeaveTemplateUnchanged) {
  EXPECT_EQ(Render("{}", "The ${text} = ${number}!"), "The ${text} = ${number}!");
  EXPECT_EQ(Render("", "The ${text} = ${number}!"), "The ${text} = ${number}!");
}

TEST_F(TemplateTest, MissingPathStaysLiteral) {
  EXPECT_EQ(Render(R"({"text":"$.data.nope","number":"$.data.nope"})", "The ${text} = ${number}!"),
            "The ${text} = ${number}!");
  EXPECT_EQ(Render(R"({"v":"$.data.nope"})", R"({"a":"${v}","b":${v}})"),
            R"({"a":"${v}","b":${v}})");
}

TEST_F(TemplateTest, NullRendersAsNull) {
  EXPECT_EQ(Render(R"({"text":"$.data.null","number":"$.data.null"})", "The ${text} = ${number}!"),
            "The null = null!");
  EXPECT_EQ(Render(R"({"v":"$.data.null"})", R"({"a":${v},"b":"${v}"})"),
            R"({"a":null,"b":"null"})");
}

TEST_F(TemplateTest, NonPathValuesAreLiterals) {
  EXPECT_EQ(Render(R"({"name":"$.data.text","constant":"Please deal with it timely."})",
                   "The instance is broken，which name is ${name} , ${constant}"),
            "The instance is broken，which name is 100 , Please deal with it timely.");
  EXPECT_EQ(Render(R"({"name":"$.data.text","table":"tableName"})", "${name} , ${table}"),
            "100 , tableName");
  EXPECT_EQ(Render(R"({"n":5,"b":true,"f":1.5})", "${n} ${b} ${f}"), "5 true 1.5");
  // Not singular, or not valid: the reference keeps the text as a constant.
  EXPECT_EQ(Render(R"({"a":"$..text","b":"$.data[","c":"data.text"})", "${a}|${b}|${c}"),
            "$..text|$.data[|data.text");
}

TEST_F(TemplateTest, ScalarsObjectsAndArrays) {
  EXPECT_EQ(Render(R"({"b":"$.data.boolean","cn":"$.data.cn","row":"$.data.row"})",
                   R"({"b":${b},"cn":"${cn}","row":${row}})"),
            R"({"b":false,"cn":"中国","row":{"id":7,"name":"ann","tags":["a","b"]}})");
  EXPECT_EQ(Render(R"({"a":"$.data.array","first":"$.data.array[0]","t":"$.data.row.tags[-1]"})",
                   "${a} ${first} ${t}"),
            R"([{"level2-1":"level2-1"},{"level2-2":"level2-2"}] {"level2-1":"level2-1"} b)");
  EXPECT_EQ(Render(R"({"id":"$.id","src":"$['source']"})", "${id}/${src}"),
            "51efe8e2-841f-4900-8ff5-3c6dfae1060e/acs.oss");
}

TEST_F(TemplateTest, EscapesStringsInsideJsonStringLiterals) {
  std::string out = Render(R"({"q":"$.data.quote"})", R"({"msg":"${q}","raw":"<${q}>"})");
  EXPECT_EQ(out, R"({"msg":"say \"hi\"\\ and\nbye\u0001","raw":"<say \"hi\"\\ and\nbye\u0001>"})");
  EXPECT_TRUE(IsJson(out));
  // An object inside a string literal becomes an escaped JSON string.
  out = Render(R"({"row":"$.data.row"})", R"(["${row}", ${row}])");
  EXPECT_EQ(
      out,
      R"(["{\"id\":7,\"name\":\"ann\",\"tags\":[\"a\",\"b\"]}", {"id":7,"name":"ann","tags":["a","b"]}])");
  EXPECT_TRUE(IsJson(out));
  // Literal parameters are escaped the same way.
  out = Render(R"({"c":"a \"b\""})", R"({"c":"${c}"})");
  EXPECT_EQ(out, R"({"c":"a \"b\""})");
}

TEST_F(TemplateTest, TracksStringStateAcrossEscapesAndKeys) {
  // The escaped quote does not end the literal; the key position is a literal too.
  EXPECT_EQ(Render(R"({"q":"$.data.quote","t":"$.data.text"})", R"({"x\"${t}":"\\${q}","n":${t}})"),
            R"({"x\"100":"\\say \"hi\"\\ and\nbye\u0001","n":100})");
}

TEST_F(TemplateTest, RawOutsideStringsAndInTextTemplates) {
  // Outside a string literal the value is raw, as in the reference.
  EXPECT_EQ(Render(R"({"t":"$.data.text"})", R"({"n":${t}})"), R"({"n":100})");
  // A text template (not starting with { or [) never escapes.
  EXPECT_EQ(Render(R"({"q":"$.data.quote"})", R"(He said "${q}")"),
            "He said \"say \"hi\"\\ and\nbye\x01\"");
}

TEST_F(TemplateTest, ValuesAreNotRescanned) {
  EXPECT_EQ(Render(R"({"d":"$.data.dollar","number":"$.data.number"})", "${d} ${number}"),
            "${number} 100");
}

TEST_F(TemplateTest, DollarEscapeAndUnknownNames) {
  EXPECT_EQ(Render(R"({"t":"$.data.text"})", "$${t} ${t} ${other} ${t"), "${t} 100 ${other} ${t");
  EXPECT_EQ(Render(R"({"t":"$.data.text"})", "${x${t}}"), "${x100}");
}

TEST_F(TemplateTest, WholeEventWithRootPath) {
  std::string out = Render(R"({"e":"$"})", R"({"event":${e}})");
  EXPECT_TRUE(IsJson(out));
  EXPECT_NE(out.find(R"("source":"acs.oss")"), std::string::npos);
}

TEST_F(TemplateTest, EmbedObjectSpreadsAtRoot) {
  EXPECT_EQ(Render(R"({"row":"$.data.row"})", R"({"EB_SYS_EMBED_OBJECT":"${row}","extra":1})"),
            R"({"id":7,"name":"ann","tags":["a","b"],"extra":1})");
  EXPECT_EQ(Render(R"({"row":"$.data.row"})", R"({"extra":1, "EB_SYS_EMBED_OBJECT" : "${row}"})"),
            R"({"extra":1,"id":7,"name":"ann","tags":["a","b"]})");
  EXPECT_EQ(Render(R"({"row":"$.data.row"})", R"({"EB_SYS_EMBED_OBJECT":"${row}"})"),
            R"({"id":7,"name":"ann","tags":["a","b"]})");
}

TEST_F(TemplateTest, EmbedObjectSpreadsInNestedObjects) {
  std::string out =
      Render(R"({"row":"$.data.row","t":"$.type"})",
             R"({"type":"${t}","after":{"a":0,"EB_SYS_EMBED_OBJECT":"${row}","z":9}})");
  EXPECT_EQ(
      out,
      R"({"type":"oss:ObjectCreated:PostObject","after":{"a":0,"id":7,"name":"ann","tags":["a","b"],"z":9}})");
  EXPECT_TRUE(IsJson(out));
  out = Render(R"({"row":"$.data.row"})", R"([{"EB_SYS_EMBED_OBJECT":"${row}"},{"k":1}])");
  EXPECT_EQ(out, R"([{"id":7,"name":"ann","tags":["a","b"]},{"k":1}])");
}

TEST_F(TemplateTest, EmbedObjectMarkerRemovedWhenEmpty) {
  for (std::string_view path : {"$.data.nope", "$.data.null", "$.data.empty", "$.data.emptyobj"}) {
    std::string params = R"({"v":")" + std::string(path) + R"("})";
    EXPECT_EQ(Render(params, R"({"a":1,"EB_SYS_EMBED_OBJECT":"${v}","b":2})"), R"({"a":1,"b":2})")
        << path;
    EXPECT_EQ(Render(params, R"({"a":1,"EB_SYS_EMBED_OBJECT":"${v}"})"), R"({"a":1})") << path;
    EXPECT_EQ(Render(params, R"({"EB_SYS_EMBED_OBJECT":"${v}"})"), "{}") << path;
  }
}

TEST_F(TemplateTest, EmbedObjectTemplateMembersWin) {
  EXPECT_EQ(Render(R"({"row":"$.data.row"})", R"({"name":"fixed","EB_SYS_EMBED_OBJECT":"${row}"})"),
            R"({"name":"fixed","id":7,"tags":["a","b"]})");
}

TEST_F(TemplateTest, EmbedObjectKeepsNonObjectValuesAsString) {
  EXPECT_EQ(Render(R"({"v":"$.data.text"})", R"({"EB_SYS_EMBED_OBJECT":"${v}"})"),
            R"({"EB_SYS_EMBED_OBJECT":"100"})");
  EXPECT_EQ(Render(R"({"v":"$.data.row.tags"})", R"({"x":1,"EB_SYS_EMBED_OBJECT":"${v}"})"),
            R"({"x":1,"EB_SYS_EMBED_OBJECT":"[\"a\",\"b\"]"})");
}

TEST_F(TemplateTest, EmbedMarkerIsPlainTextOutsideJsonTemplates) {
  EXPECT_EQ(Render(R"({"v":"$.data.text"})", R"(x "EB_SYS_EMBED_OBJECT":"${v}")"),
            R"(x "EB_SYS_EMBED_OBJECT":"100")");
}

TEST(TemplateCompile, RejectsParametersThatAreNotAnObject) {
  auto t = Template::Compile("[1]", "x");
  ASSERT_FALSE(t);
  EXPECT_EQ(t.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(t.error().message().find("must be a JSON object"), std::string::npos);
  t = Template::Compile("{\"a\":", "x");
  ASSERT_FALSE(t);
  EXPECT_NE(t.error().message().find("not valid JSON"), std::string::npos);
}

TEST(TemplateCompile, NamesEveryBadParameter) {
  auto t = Template::Compile(R"({"ok":"$.a","obj":{"x":1},"nul":null,"arr":[],"":"x","a}b":"y"})",
                             "${ok}");
  ASSERT_FALSE(t);
  const std::string& m = t.error().message();
  EXPECT_NE(m.find("parameter 'obj': must be a string"), std::string::npos) << m;
  EXPECT_NE(m.find("parameter 'nul': must be a string"), std::string::npos) << m;
  EXPECT_NE(m.find("parameter 'arr': must be a string"), std::string::npos) << m;
  EXPECT_NE(m.find("parameter '': the name must not be empty"), std::string::npos) << m;
  EXPECT_NE(m.find("parameter 'a}b': the name must not contain '}'"), std::string::npos) << m;
  EXPECT_EQ(m.find("'ok'"), std::string::npos) << m;
}

TEST(TemplateCompile, RejectsDuplicateParameterAndDoubleEmbed) {
  auto t = Template::Compile(R"({"a":"$.x","a":"$.y"})", "${a}");
  ASSERT_FALSE(t);
  EXPECT_NE(t.error().message().find("parameter 'a': declared twice"), std::string::npos);
  t = Template::Compile(R"({"a":"$.x","b":"$.y"})",
                        R"({"EB_SYS_EMBED_OBJECT":"${a}","EB_SYS_EMBED_OBJECT":"${b}"})");
  ASSERT_FALSE(t);
  EXPECT_NE(t.error().message().find("more than one EB_SYS_EMBED_OBJECT"), std::string::npos);
}

TEST(TemplateCompile, DetectsJsonTemplates) {
  EXPECT_TRUE(Template::Compile("{}", "  {\"a\":1}")->is_json());
  EXPECT_TRUE(Template::Compile("{}", "\n[1]")->is_json());
  EXPECT_FALSE(Template::Compile("{}", "The {x}")->is_json());
  EXPECT_FALSE(Template::Compile("{}", "")->is_json());
}

}  // namespace
}  // namespace inflow::jsonpath
