// `inflow jsonpath EXPR [FILE]`: evaluates an RFC 9535 JSONPath query on a JSON document, without
// a server.
//
// The document is FILE, or standard input when FILE is absent or "-". Each selected node is
// printed as compact JSON on its own line (an empty result prints nothing) and the exit code is
// 0. An invalid expression exits 2 with its position on stderr; an unreadable file or invalid
// JSON exits 2 naming the problem; a query that exceeds the evaluation work budget
// (jsonpath::Path::kDefaultWorkBudget, e.g. `$..*..*..*` on a deep document) exits 1.
//
// Thread safety: registration happens once on the main thread before parsing.
#ifndef INFLOW_CLI_JSONPATH_COMMAND_H_
#define INFLOW_CLI_JSONPATH_COMMAND_H_

#include <CLI/CLI.hpp>
#include <ostream>
#include <string>

namespace inflow::cli {

void AddJsonpathCommand(CLI::App& app, int* exit_code);

// Runs the command on document text already read: writes nodes to `out` and diagnostics to
// `err`, returns the exit code.
int RunJsonpath(const std::string& expr, const std::string& document, std::ostream& out,
                std::ostream& err);

}  // namespace inflow::cli

#endif  // INFLOW_CLI_JSONPATH_COMMAND_H_
