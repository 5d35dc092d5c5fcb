#include "cli/jsonpath_command.h"

#include <simdjson.h>

#include <iostream>
#include <memory>
#include <vector>

#include "cli/command.h"
#include "common/json_parse.h"
#include "jsonpath/path.h"

namespace inflow::cli {

int RunJsonpath(const std::string& expr, const std::string& document, std::ostream& out,
                std::ostream& err) {
  auto path = jsonpath::Path::Compile(expr);
  if (!path) {
    err << "invalid JSONPath expression: " << path.error().message() << "\n";
    return kExitBadInput;
  }
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (auto e = parser.parse(document).get(root); e != simdjson::SUCCESS) {
    std::string number = NumberOutOfRange(document);
    err << "invalid JSON input: " << (number.empty() ? simdjson::error_message(e) : number) << "\n";
    return kExitBadInput;
  }
  std::vector<simdjson::dom::element> nodes;
  if (auto status = path->EvaluateChecked(root, &nodes); !status) {
    err << status.error().message() << "\n";
    return kExitFailure;
  }
  for (auto node : nodes) out << jsonpath::ToCompactJson(node) << "\n";
  out.flush();
  return kExitOk;
}

void AddJsonpathCommand(CLI::App& app, int* exit_code) {
  auto* cmd = app.add_subcommand("jsonpath",
                                 "Evaluate an RFC 9535 JSONPath query on a JSON "
                                 "document (FILE, or standard input)");
  // Owned by the callback: CLI11 keeps the bound variables alive only through these pointers.
  auto expr = std::make_shared<std::string>();
  auto file = std::make_shared<std::string>("-");
  cmd->add_option("EXPR", *expr, "the JSONPath query, e.g. '$.store.book[?@.price < 10].title'")
      ->required();
  cmd->add_option("FILE", *file, "the JSON document; '-' or absent for standard input");
  cmd->callback([expr, file, exit_code] {
    auto text = ReadFileOrStdin(*file);
    if (!text) {
      std::cerr << "input: " << text.error().message() << "\n";
      *exit_code = kExitBadInput;
      return;
    }
    *exit_code = RunJsonpath(*expr, *text, std::cout, std::cerr);
  });
}

}  // namespace inflow::cli
