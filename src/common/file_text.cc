#include "common/file_text.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace inflow {
namespace {

constexpr size_t kChunk = 64 * 1024;

Error ReadError(const std::string& name, int err) {
  std::string message = "cannot read " + name + ": " + std::strerror(err);
  if (err == ENOENT) return NotFound(std::move(message));
  if (err == EISDIR) return InvalidArgument(std::move(message));
  return IoError(std::move(message));
}

// Refuses what is not a stream of bytes to read: a directory (read() would fail with EISDIR
// only later, and std::ifstream turns that into an exception), a socket, a block device.
Status CheckFileType(int fd, const std::string& name) {
  struct stat st;
  if (fstat(fd, &st) != 0) return Fail(ReadError(name, errno));
  if (S_ISDIR(st.st_mode)) return Fail(ReadError(name, EISDIR));
  if (!S_ISREG(st.st_mode) && !S_ISFIFO(st.st_mode) && !S_ISCHR(st.st_mode)) {
    return Fail(InvalidArgument("cannot read " + name + ": not a regular file"));
  }
  return Ok();
}

}  // namespace

Result<TextInput> TextInput::Open(const std::string& path) {
  if (path == "-") {
    INFLOW_RETURN_IF_ERROR(CheckFileType(STDIN_FILENO, "standard input"));
    return TextInput(STDIN_FILENO, /*owned=*/false, "standard input");
  }
  int fd;
  do {
    fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) return Fail(ReadError(path, errno));
  TextInput input(fd, /*owned=*/true, path);
  INFLOW_RETURN_IF_ERROR(CheckFileType(fd, path));
  return input;
}

TextInput::TextInput(TextInput&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      owned_(std::exchange(other.owned_, false)),
      name_(std::move(other.name_)),
      buffer_(std::move(other.buffer_)),
      start_(std::exchange(other.start_, 0)) {}

TextInput& TextInput::operator=(TextInput&& other) noexcept {
  if (this != &other) {
    if (owned_) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
    owned_ = std::exchange(other.owned_, false);
    name_ = std::move(other.name_);
    buffer_ = std::move(other.buffer_);
    start_ = std::exchange(other.start_, 0);
  }
  return *this;
}

TextInput::~TextInput() {
  if (owned_) ::close(fd_);
}

Result<bool> TextInput::Fill() {
  if (start_ > 0) {
    buffer_.erase(0, start_);
    start_ = 0;
  }
  size_t old = buffer_.size();
  buffer_.resize(old + kChunk);
  ssize_t n;
  do {
    n = ::read(fd_, buffer_.data() + old, kChunk);
  } while (n < 0 && errno == EINTR);
  if (n < 0) {
    int err = errno;
    buffer_.resize(old);
    return Fail(ReadError(name_, err));
  }
  buffer_.resize(old + static_cast<size_t>(n));
  return n > 0;
}

Result<bool> TextInput::ReadLine(std::string* line) {
  size_t scanned = start_;
  for (;;) {
    size_t nl = buffer_.find('\n', scanned);
    if (nl != std::string::npos) {
      line->assign(buffer_, start_, nl - start_);
      start_ = nl + 1;
      return true;
    }
    scanned = buffer_.size() - start_;  // offsets shift when Fill drops what was returned
    INFLOW_TRY(bool more, Fill());
    if (!more) break;
  }
  if (start_ == buffer_.size()) return false;
  line->assign(buffer_, start_);
  start_ = buffer_.size();
  return true;
}

Result<std::string> TextInput::ReadAll() {
  for (;;) {
    INFLOW_TRY(bool more, Fill());
    if (!more) break;
  }
  std::string out = buffer_.substr(start_);
  buffer_.clear();
  start_ = 0;
  return out;
}

Result<std::string> ReadTextFile(const std::string& path) {
  INFLOW_TRY(TextInput input, TextInput::Open(path));
  return input.ReadAll();
}

}  // namespace inflow
