#include "cli/command.h"

#include "common/file_text.h"

namespace inflow::cli {

Result<std::string> ReadFileOrStdin(const std::string& path) { return ReadTextFile(path); }

Result<std::string> ReadTextArgument(const std::string& arg) {
  size_t i = arg.find_first_not_of(" \t\r\n");
  if (i != std::string::npos && (arg[i] == '{' || arg[i] == '[')) return arg;
  return ReadFileOrStdin(arg);
}

}  // namespace inflow::cli
