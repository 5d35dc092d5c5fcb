#include "support/run_command.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace inflow::testing {
namespace {

using Clock = std::chrono::steady_clock;

void CloseFd(int& fd) {
  if (fd >= 0) {
    close(fd);
    fd = -1;
  }
}

struct Pipe {
  int read_end = -1;
  int write_end = -1;
  bool Open() {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) return false;
    read_end = fds[0];
    write_end = fds[1];
    return true;
  }
  ~Pipe() {
    CloseFd(read_end);
    CloseFd(write_end);
  }
};

// Child side of fork(): only async-signal-safe calls until exec.
[[noreturn]] void ExecChild(char* const* argv, const Pipe& in, const Pipe& out, const Pipe& err,
                            bool has_stdin) {
  setpgid(0, 0);
  signal(SIGPIPE, SIG_DFL);
  int stdin_fd = has_stdin ? in.read_end : open("/dev/null", O_RDONLY);
  if (stdin_fd < 0 || dup2(stdin_fd, STDIN_FILENO) < 0 || dup2(out.write_end, STDOUT_FILENO) < 0 ||
      dup2(err.write_end, STDERR_FILENO) < 0) {
    _exit(127);
  }
  execvp(argv[0], argv);
  const char* msg = "RunCommand: exec failed: ";
  (void)!write(STDERR_FILENO, msg, strlen(msg));
  const char* reason = strerror(errno);
  (void)!write(STDERR_FILENO, reason, strlen(reason));
  (void)!write(STDERR_FILENO, "\n", 1);
  _exit(127);
}

}  // namespace

std::string DescribeCommand(const std::vector<std::string>& argv) {
  std::string s;
  for (const auto& a : argv) s += (s.empty() ? "" : " ") + a;
  return s;
}

CommandResult RunCommand(const std::vector<std::string>& argv, const CommandOptions& options) {
  CommandResult result;
  if (argv.empty()) {
    result.err = "RunCommand: empty argv";
    return result;
  }
  // A child that exits before reading all of its input (mariadb stops at the first failing
  // statement) must turn our write into EPIPE, not kill the test with SIGPIPE. The child gets
  // the default disposition back in ExecChild.
  static const bool sigpipe_ignored = [] { return signal(SIGPIPE, SIG_IGN) != SIG_ERR; }();
  (void)sigpipe_ignored;
  Pipe in, out, err;
  bool has_stdin = !options.stdin_text.empty();
  if ((has_stdin && !in.Open()) || !out.Open() || !err.Open()) {
    result.err = std::string("RunCommand: pipe: ") + strerror(errno);
    return result;
  }
  std::vector<char*> cargv;
  for (const auto& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
  cargv.push_back(nullptr);

  pid_t pid = fork();
  if (pid < 0) {
    result.err = std::string("RunCommand: fork: ") + strerror(errno);
    return result;
  }
  if (pid == 0) ExecChild(cargv.data(), in, out, err, has_stdin);
  // Also in the parent, so that the group exists before a timeout could signal it.
  setpgid(pid, pid);
  CloseFd(in.read_end);
  CloseFd(out.write_end);
  CloseFd(err.write_end);
  if (has_stdin) fcntl(in.write_end, F_SETFL, O_NONBLOCK);

  const auto deadline = Clock::now() + options.timeout;
  size_t stdin_written = 0;
  char buf[65536];
  while (out.read_end >= 0 || err.read_end >= 0) {
    pollfd fds[3];
    int n = 0;
    if (out.read_end >= 0) fds[n++] = {out.read_end, POLLIN, 0};
    if (err.read_end >= 0) fds[n++] = {err.read_end, POLLIN, 0};
    if (in.write_end >= 0) fds[n++] = {in.write_end, POLLOUT, 0};
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) {
      result.timed_out = true;
      break;
    }
    int ready = poll(fds, n, static_cast<int>(std::min<long long>(left.count(), 1000)));
    if (ready < 0 && errno != EINTR) {
      result.err += std::string("RunCommand: poll: ") + strerror(errno) + "\n";
      result.timed_out = true;  // treat as fatal: kill below
      break;
    }
    for (int i = 0; i < n && ready > 0; ++i) {
      if (fds[i].revents == 0) continue;
      if (fds[i].fd == in.write_end) {
        ssize_t w = write(in.write_end, options.stdin_text.data() + stdin_written,
                          options.stdin_text.size() - stdin_written);
        if (w > 0) stdin_written += static_cast<size_t>(w);
        if (w < 0 && errno != EAGAIN && errno != EINTR) stdin_written = options.stdin_text.size();
        if (stdin_written == options.stdin_text.size()) CloseFd(in.write_end);
        continue;
      }
      ssize_t r = read(fds[i].fd, buf, sizeof buf);
      if (r > 0) {
        (fds[i].fd == out.read_end ? result.out : result.err).append(buf, static_cast<size_t>(r));
      } else if (r == 0 || (errno != EINTR && errno != EAGAIN)) {
        CloseFd(fds[i].fd == out.read_end ? out.read_end : err.read_end);
      }
    }
  }
  CloseFd(in.write_end);
  // The pipes may close before the child exits (or never, if it hangs): wait up to the deadline.
  int status = 0;
  bool reaped = false;
  while (!result.timed_out) {
    pid_t w = waitpid(pid, &status, WNOHANG);
    if (w == pid) {
      reaped = true;
      break;
    }
    if (w < 0 && errno != EINTR) {
      result.err += std::string("RunCommand: waitpid: ") + strerror(errno) + "\n";
      return result;  // exit_code stays -1
    }
    if (Clock::now() >= deadline) {
      result.timed_out = true;
      break;
    }
    usleep(10000);
  }
  if (result.timed_out) {
    kill(-pid, SIGKILL);
    result.err += "RunCommand: timed out after " + std::to_string(options.timeout.count()) +
                  " ms, killed: " + DescribeCommand(argv) + "\n";
  }
  while (!reaped && waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (result.timed_out) {
    result.exit_code = -1;
  } else if (WIFEXITED(status)) {
    result.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    result.exit_code = 128 + WTERMSIG(status);
  }
  return result;
}

}  // namespace inflow::testing
