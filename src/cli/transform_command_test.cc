#include "cli/transform_command.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "cli/command.h"
#include "common/hostile_input.h"

namespace inflow::cli {
namespace {

using ::testing::HasSubstr;

constexpr char kEvent[] =
    R"({"id":"abc-1","data":{"operationType":"INSERT","afterImage":{"id":7,"note":"x\"y"}}})";

struct RunResult {
  int rc;
  std::string out;
  std::string err;
};

RunResult RunTest(const std::string& sink, const std::string& event) {
  std::ostringstream out, err;
  int rc = RunTransformTest(sink, event, out, err);
  return {rc, out.str(), err.str()};
}

// A file under the test's temporary directory, removed on destruction.
class TempFile {
 public:
  explicit TempFile(const std::string& content) {
    char name[] = "/tmp/inflow_transform_test_XXXXXX";
    int fd = mkstemp(name);
    EXPECT_GE(fd, 0);
    close(fd);
    path_ = name;
    std::ofstream(path_) << content;
  }
  ~TempFile() { std::remove(path_.c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

TEST(TransformTestCommand, PrintsOneJsonLinePerMessage) {
  RunResult r = RunTest(R"({"topic":"orders","tag":{"form":"CONSTANT","value":"order"},
      "keys":{"form":"JSONPATH","value":"$.data.afterImage.id"},
      "body":{"form":"TEMPLATE","value":{"note":"$.data.afterImage.note"},"template":"{\"n\":\"${note}\"}"}})",
                        kEvent);
  EXPECT_EQ(r.rc, kExitOk) << r.err;
  EXPECT_EQ(
      r.out,
      R"({"topic":"orders","tag":"order","keys":["7"],"properties":{"inflow_event_id":"abc-1"},)"
      R"("body":"{\"n\":\"x\\\"y\"}"})"
      "\n");
  EXPECT_EQ(r.err, "");
}

TEST(TransformTestCommand, OmitsAbsentFields) {
  RunResult r = RunTest(R"({"body":{"form":"CONSTANT","value":"hi"}})", R"({"data":1})");
  EXPECT_EQ(r.rc, kExitOk);
  EXPECT_EQ(r.out, "{\"body\":\"hi\"}\n");
}

TEST(TransformTestCommand, ArrayOfEventsGivesOneLineEach) {
  RunResult r =
      RunTest(R"({"body":{"form":"JSONPATH","value":"$.n"}})", R"([{"n":1},{"n":"two"}])");
  EXPECT_EQ(r.rc, kExitOk);
  EXPECT_EQ(r.out, "{\"body\":\"1\"}\n{\"body\":\"two\"}\n");
}

TEST(TransformTestCommand, RenderFailureExitsOne) {
  RunResult r = RunTest(R"({"body":{"form":"JSONPATH","value":"$.n"}})", R"([{"n":1},{"m":2}])");
  EXPECT_EQ(r.rc, kExitFailure);
  EXPECT_EQ(r.out, "{\"body\":\"1\"}\n");
  EXPECT_THAT(r.err, HasSubstr("event 1: sink.body: JSONPath '$.n' selected nothing"));
}

// `"body":""` is what `inflow send` refuses; transform test applies the same rule and says so
// instead of printing a message that could never be sent.
TEST(TransformTestCommand, FlagsMessagesTheProducerWouldRefuse) {
  RunResult r =
      RunTest(R"({"body":{"form":"JSONPATH","value":"$.s"}})", R"([{"s":"ok"},{"s":""}])");
  EXPECT_EQ(r.rc, kExitFailure);
  EXPECT_EQ(r.out, "{\"body\":\"ok\"}\n");
  EXPECT_THAT(r.err, HasSubstr("event 1: the message would be refused: body: must not be empty"));
}

TEST(TransformTestCommand, ShowsTheUniqueKeyATemplateSets) {
  RunResult r = RunTest(R"({"properties":{"form":"TEMPLATE","value":{"id":"$.id"},
      "template":"{\"UNIQ_KEY\":\"${id}\"}"}})",
                        kEvent);
  EXPECT_EQ(r.rc, kExitOk) << r.err;
  EXPECT_THAT(r.out, HasSubstr(R"("unique_key":"abc-1")"));
}

TEST(TransformTestCommand, InvalidSinkExitsTwoWithEveryError) {
  RunResult r = RunTest(R"({"body":{"form":"XML"},"colour":1})", kEvent);
  EXPECT_EQ(r.rc, kExitBadInput);
  EXPECT_EQ(r.out, "");
  EXPECT_THAT(r.err,
              HasSubstr("sink.body.form: must be one of ORIGINAL, JSONPATH, CONSTANT, TEMPLATE"));
  EXPECT_THAT(r.err, HasSubstr("sink.colour: unknown key"));
}

TEST(TransformTestCommand, InvalidEventExitsTwo) {
  RunResult r = RunTest("{}", "{\"a\":");
  EXPECT_EQ(r.rc, kExitBadInput);
  EXPECT_THAT(r.err, HasSubstr("event: not valid JSON"));
  r = RunTest("{}", "/nonexistent/event.json");
  EXPECT_EQ(r.rc, kExitBadInput);
  EXPECT_THAT(r.err, HasSubstr("cannot read /nonexistent/event.json: No such file or directory"));
  r = RunTest("-", "-");
  EXPECT_EQ(r.rc, kExitBadInput);
}

TEST(TransformTestCommand, ReadsYamlSinkFiles) {
  TempFile sink(R"(type: rocketmq
version: "4.x"
endpoint: 127.0.0.1:9876
topic: orders
body: {form: TEMPLATE, value: '{"id":"$.data.afterImage.id"}', template: '{"order":${id}}'}
keys: {form: JSONPATH, value: "$.data.afterImage.id"}
tag: {form: CONSTANT, value: 2024}
properties:
)");
  TempFile event(kEvent);
  RunResult r = RunTest(sink.path(), event.path());
  EXPECT_EQ(r.rc, kExitOk) << r.err;
  EXPECT_EQ(
      r.out,
      R"({"topic":"orders","tag":"2024","keys":["7"],"properties":{"inflow_event_id":"abc-1"},)"
      R"("body":"{\"order\":7}"})"
      "\n");
}

TEST(TransformTestCommand, RejectsBrokenYaml) {
  TempFile sink("body: [unclosed\n");
  RunResult r = RunTest(sink.path(), kEvent);
  EXPECT_EQ(r.rc, kExitBadInput);
  EXPECT_THAT(r.err, HasSubstr("sink: not valid YAML"));
}

TEST(TransformTestCommand, DirectoryAsInputExitsTwo) {
  RunResult r = RunTest("/tmp", kEvent);
  EXPECT_EQ(r.rc, kExitBadInput);
  EXPECT_THAT(r.err, HasSubstr("sink: cannot read /tmp: Is a directory"));
  r = RunTest(R"({"body":{"form":"ORIGINAL"}})", "/tmp");
  EXPECT_EQ(r.rc, kExitBadInput);
  EXPECT_THAT(r.err, HasSubstr("event: cannot read /tmp: Is a directory"));
}

TEST(TransformTestCommand, DeepTemplateValueExitsTwo) {
  std::string deep = R"({"body":{"form":"TEMPLATE","value":)" + std::string(3000, '[') +
                     std::string(3000, ']') + R"(,"template":"x"}})";
  RunResult r = RunTest(deep, kEvent);
  EXPECT_EQ(r.rc, kExitBadInput);
  EXPECT_THAT(r.err, HasSubstr("sink: nested too deeply (limit 128) at line 1, column 162"));
}

TEST(TransformTestCommand, AliasBombSinkExitsTwoAtOnce) {
  TempFile sink(YamlAliasBomb());
  RunResult r = RunTest(sink.path(), kEvent);
  EXPECT_EQ(r.rc, kExitBadInput);
  EXPECT_THAT(r.err, HasSubstr("sink: aliases expand to more than 250000 values"));
}

TEST(TransformTestCommand, JsonSinkIsNotReadAsYaml) {
  for (const char* text :
       {R"({"body":{"form":"ORIGINAL"},})", "{\"topic\":0x1F}", "{\"topic\":\"\xFF\"}"}) {
    TempFile sink(text);
    RunResult r = RunTest(sink.path(), kEvent);
    EXPECT_EQ(r.rc, kExitBadInput) << text;
    EXPECT_THAT(r.err, HasSubstr("sink: not valid JSON: parse error at line 1")) << text;
  }
  RunResult r = RunTest(R"({"topic":"t","body":{"form":"CONSTANT","value":1e400}})", kEvent);
  EXPECT_EQ(r.rc, kExitBadInput);
  EXPECT_THAT(r.err, HasSubstr("sink: number out of range at line 1, column 48: 1e400"));
  r = RunTest(R"({"body":{"form":"ORIGINAL"}})", R"({"id": 123456789012345678901234567890})");
  EXPECT_EQ(r.rc, kExitBadInput);
  EXPECT_THAT(r.err, HasSubstr("event: number out of range at line 1, column 8: 1234567890"));
}

}  // namespace
}  // namespace inflow::cli
