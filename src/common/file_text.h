// Reading input files given on a command line or in a configuration: whole files and line by
// line. Every reader goes through TextInput, so a directory, a socket or a read error becomes
// an error value ("cannot read FILE: Is a directory") instead of a stream exception or an
// input that silently reads as empty.
//
//   auto text = ReadTextFile(path);            // "-" reads standard input
//   if (!text) return Fail(text.error());      // "cannot read /tmp: Is a directory"
//
//   INFLOW_TRY(TextInput in, TextInput::Open(path));
//   std::string line;
//   for (;;) {
//     INFLOW_TRY(bool more, in.ReadLine(&line));
//     if (!more) break;
//   }
//
// Regular files, pipes and character devices are accepted (so `<(cmd)`, `/dev/stdin` and a
// piped standard input work); anything else is refused before a byte is read.
//
// Thread safety: a TextInput is used by one thread at a time; the functions are reentrant.
#ifndef INFLOW_COMMON_FILE_TEXT_H_
#define INFLOW_COMMON_FILE_TEXT_H_

#include <string>

#include "common/result.h"

namespace inflow {

// An open input: a file, or standard input for "-". Move-only; closes what it opened.
class TextInput {
 public:
  // Opens `path` ("-": standard input, named "standard input" in errors) and checks its type.
  static Result<TextInput> Open(const std::string& path);

  TextInput(TextInput&& other) noexcept;
  TextInput& operator=(TextInput&& other) noexcept;
  TextInput(const TextInput&) = delete;
  TextInput& operator=(const TextInput&) = delete;
  ~TextInput();

  // The next line without its '\n' (a last line without one counts). False at end of input.
  Result<bool> ReadLine(std::string* line);
  // Everything not read yet.
  Result<std::string> ReadAll();

  // The name errors use: the path, or "standard input".
  const std::string& name() const { return name_; }

 private:
  TextInput(int fd, bool owned, std::string name)
      : fd_(fd), owned_(owned), name_(std::move(name)) {}
  // Appends up to one buffer's worth to buffer_; false at end of input.
  Result<bool> Fill();

  int fd_ = -1;
  bool owned_ = false;
  std::string name_;
  std::string buffer_;  // read but not yet returned
  size_t start_ = 0;    // first byte of buffer_ not yet returned
};

// The whole content of `path` ("-": standard input). Errors: kNotFound when it does not exist,
// kInvalidArgument for a directory or another file type that is not text input, kIo otherwise;
// every message reads "cannot read PATH: REASON".
Result<std::string> ReadTextFile(const std::string& path);

}  // namespace inflow

#endif  // INFLOW_COMMON_FILE_TEXT_H_
