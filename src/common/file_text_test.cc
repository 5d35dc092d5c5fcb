#include "common/file_text.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

namespace inflow {
namespace {

class FileTextTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir[] = "/tmp/inflow_file_text_test_XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    dir_ = dir;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Write(const std::string& name, const std::string& content) {
    std::string path = dir_ + "/" + name;
    std::ofstream(path, std::ios::binary) << content;
    return path;
  }

  std::string dir_;
};

TEST_F(FileTextTest, ReadsAWholeFile) {
  std::string big(200'000, 'x');  // several read() chunks
  big += "\nend";
  auto text = ReadTextFile(Write("a.txt", big));
  ASSERT_TRUE(text) << text.error().ToString();
  EXPECT_EQ(*text, big);
}

TEST_F(FileTextTest, DirectoryIsRefusedWithTheReason) {
  auto text = ReadTextFile(dir_);
  ASSERT_FALSE(text);
  EXPECT_EQ(text.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(text.error().message(), "cannot read " + dir_ + ": Is a directory");
  auto input = TextInput::Open(dir_);
  ASSERT_FALSE(input);
  EXPECT_EQ(input.error().message(), "cannot read " + dir_ + ": Is a directory");
}

TEST_F(FileTextTest, MissingFileIsNotFound) {
  auto text = ReadTextFile(dir_ + "/missing.json");
  ASSERT_FALSE(text);
  EXPECT_EQ(text.error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(text.error().message(),
            "cannot read " + dir_ + "/missing.json: No such file or directory");
}

TEST_F(FileTextTest, SocketIsRefused) {
  std::string path = dir_ + "/sock";
  int fd = socket(AF_UNIX, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path.c_str());
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  auto text = ReadTextFile(path);
  close(fd);
  ASSERT_FALSE(text);
  EXPECT_EQ(text.error().message(), "cannot read " + path + ": No such device or address");
}

TEST_F(FileTextTest, ReadsLinesWithAndWithoutFinalNewline) {
  std::string long_line(100'000, 'y');
  auto input = TextInput::Open(Write("lines.txt", "a\n\nb\r\n" + long_line + "\nlast"));
  ASSERT_TRUE(input) << input.error().ToString();
  std::vector<std::string> lines;
  std::string line;
  for (;;) {
    auto more = input->ReadLine(&line);
    ASSERT_TRUE(more) << more.error().ToString();
    if (!*more) break;
    lines.push_back(line);
  }
  EXPECT_EQ(lines, (std::vector<std::string>{"a", "", "b\r", long_line, "last"}));
  auto again = input->ReadLine(&line);
  ASSERT_TRUE(again);
  EXPECT_FALSE(*again);
}

TEST_F(FileTextTest, EmptyFileHasNoLines) {
  auto input = TextInput::Open(Write("empty.txt", ""));
  ASSERT_TRUE(input);
  std::string line;
  auto more = input->ReadLine(&line);
  ASSERT_TRUE(more);
  EXPECT_FALSE(*more);
}

TEST_F(FileTextTest, PipesAreReadable) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  ASSERT_EQ(write(fds[1], "x\ny", 3), 3);
  close(fds[1]);
  auto text = ReadTextFile("/dev/fd/" + std::to_string(fds[0]));
  close(fds[0]);
  ASSERT_TRUE(text) << text.error().ToString();
  EXPECT_EQ(*text, "x\ny");
}

}  // namespace
}  // namespace inflow
