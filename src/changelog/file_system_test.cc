// The directory lock (FileSystem::LockFile) of the POSIX and the fault-injecting file systems:
// one holder per directory, in this process and across processes, released on unlock and by the
// death of its process.
#include "changelog/file_system.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "changelog/fault_file_system.h"

namespace inflow::changelog {
namespace {

class ChangelogDirLockTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = (std::filesystem::temp_directory_path() /
            ("inflow-dirlock-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name()))
               .string();
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string InUseMessage(pid_t pid) const {
    return "data directory " + dir_ + " is in use by another inflow process (pid " +
           std::to_string(pid) + ")";
  }

  std::string dir_;
};

// What a freshly forked child gets when it tries to lock `path`: "OK" or the error message.
std::string LockInChild(const std::string& path) {
  int fds[2];
  if (::pipe(fds) != 0) return "pipe failed";
  pid_t child = ::fork();
  if (child == 0) {
    ::close(fds[0]);
    auto lock = PosixFileSystem()->LockFile(path);
    std::string answer = lock ? "OK" : lock.error().message();
    (void)!::write(fds[1], answer.data(), answer.size());
    ::_exit(0);
  }
  ::close(fds[1]);
  std::string answer;
  char buf[256];
  ssize_t n;
  while ((n = ::read(fds[0], buf, sizeof(buf))) > 0) answer.append(buf, static_cast<size_t>(n));
  ::close(fds[0]);
  int status = 0;
  ::waitpid(child, &status, 0);
  return answer;
}

TEST_F(ChangelogDirLockTest, SecondLockInTheSameProcessIsRefused) {
  auto first = LockDirectory(PosixFileSystem(), dir_);
  ASSERT_TRUE(first) << first.error().ToString();
  auto second = LockDirectory(PosixFileSystem(), dir_);
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code(), ErrorCode::kFailedPrecondition);
  EXPECT_EQ(second.error().message(), "data directory " + dir_ +
                                          " is already open in this process (pid " +
                                          std::to_string(::getpid()) + ")");
  // Another spelling of the same file is the same lock.
  EXPECT_FALSE(PosixFileSystem()->LockFile(dir_ + "/./LOCK"));
  // The refused attempts did not drop the first lock (closing a second descriptor of the file
  // would have): another process is still refused.
  EXPECT_EQ(LockInChild(JoinPath(dir_, kLockFileName)), InUseMessage(::getpid()));
}

TEST_F(ChangelogDirLockTest, ForkedChildIsRefusedWithTheHoldersPid) {
  auto lock = LockDirectory(PosixFileSystem(), dir_);
  ASSERT_TRUE(lock) << lock.error().ToString();
  EXPECT_EQ(LockInChild(JoinPath(dir_, kLockFileName)), InUseMessage(::getpid()));
  // The holder's pid is in the file, for people.
  auto text = ReadWholeFile(PosixFileSystem(), JoinPath(dir_, kLockFileName));
  ASSERT_TRUE(text);
  EXPECT_EQ(*text, std::to_string(::getpid()) + "\n");
}

TEST_F(ChangelogDirLockTest, UnlockReleases) {
  auto lock = LockDirectory(PosixFileSystem(), dir_);
  ASSERT_TRUE(lock);
  ASSERT_TRUE(PosixFileSystem()->UnlockFile(std::move(*lock)));
  EXPECT_EQ(LockInChild(JoinPath(dir_, kLockFileName)), "OK");
  auto again = LockDirectory(PosixFileSystem(), dir_);
  ASSERT_TRUE(again) << again.error().ToString();
  // Destroying the handle releases it too.
  again->reset();
  EXPECT_TRUE(LockDirectory(PosixFileSystem(), dir_));
}

TEST_F(ChangelogDirLockTest, SigkilledHolderLeavesNoStaleLock) {
  int ready[2];
  ASSERT_EQ(::pipe(ready), 0);
  pid_t holder = ::fork();
  if (holder == 0) {
    ::close(ready[0]);
    auto lock = LockDirectory(PosixFileSystem(), dir_);
    (void)!::write(ready[1], lock ? "L" : "E", 1);
    for (;;) ::pause();
  }
  // Killed on every way out of the test, so a failed assertion cannot leave it paused forever.
  struct Reaper {
    pid_t pid;
    ~Reaper() {
      if (pid > 0) {
        ::kill(pid, SIGKILL);
        ::waitpid(pid, nullptr, 0);
      }
    }
  } reaper{holder};
  ::close(ready[1]);
  char c = 0;
  ASSERT_EQ(::read(ready[0], &c, 1), 1);
  ::close(ready[0]);
  ASSERT_EQ(c, 'L');
  auto refused = LockDirectory(PosixFileSystem(), dir_);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().message(), InUseMessage(holder));
  ::kill(holder, SIGKILL);
  int status = 0;
  ASSERT_EQ(::waitpid(holder, &status, 0), holder);
  reaper.pid = -1;
  // The kernel dropped the lock with its process; the LOCK file (and its stale pid) remain.
  EXPECT_TRUE(std::filesystem::exists(JoinPath(dir_, kLockFileName)));
  auto lock = LockDirectory(PosixFileSystem(), dir_);
  ASSERT_TRUE(lock) << lock.error().ToString();
}

TEST(ChangelogFaultDirLock, OneHolderAndCrashReleases) {
  FaultInjectingFileSystem fs;
  ASSERT_TRUE(fs.CreateDirs("/d"));
  auto first = LockDirectory(&fs, "/d");
  ASSERT_TRUE(first);
  auto second = LockDirectory(&fs, "/d");
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code(), ErrorCode::kFailedPrecondition);
  EXPECT_EQ(second.error().message(), "data directory /d is already open in this process");
  fs.Crash();  // the holding process died
  auto after_crash = LockDirectory(&fs, "/d");
  ASSERT_TRUE(after_crash);
  first->reset();  // the dead process's handle must not release the new holder's lock
  EXPECT_FALSE(LockDirectory(&fs, "/d"));
  ASSERT_TRUE(fs.UnlockFile(std::move(*after_crash)));
  EXPECT_TRUE(LockDirectory(&fs, "/d"));
}

}  // namespace
}  // namespace inflow::changelog
