#include "cli/command.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

namespace inflow::cli {

Result<std::string> ReadFileOrStdin(const std::string& path) {
  if (path == "-") {
    std::ostringstream ss;
    ss << std::cin.rdbuf();
    return ss.str();
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Fail(ErrorCode::kNotFound, "cannot open '" + path + "': " + std::strerror(errno));
  }
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

Result<std::string> ReadTextArgument(const std::string& arg) {
  size_t i = arg.find_first_not_of(" \t\r\n");
  if (i != std::string::npos && (arg[i] == '{' || arg[i] == '[')) return arg;
  return ReadFileOrStdin(arg);
}

}  // namespace inflow::cli
