// `inflow capture`: an offline tool that reads a MariaDB / MySQL server's binlog as a replica
// and prints every change (rows and DDL) as one CloudEvent JSON line (product.md §1.2), flushed
// line by line, so it can be piped into `inflow send` or a file.
//
//   inflow capture --source URL [--from earliest|now|GTID|FILE:POS] [--tables PATTERN,...]
//                  [--limit N] [--idle-timeout-s S]
//
// Record ids count from 1 in this tool (there is no change log behind it). Warnings and
// reconnects go to stderr. Exit 0 after --limit events (or --idle-timeout-s without changes),
// 2 for bad arguments, 1 for any capture error.
//
// Thread safety: registration on the main thread; the command runs once.
#ifndef INFLOW_CLI_CAPTURE_COMMAND_H_
#define INFLOW_CLI_CAPTURE_COMMAND_H_

#include <CLI/CLI.hpp>
#include <string>
#include <string_view>

#include "changelog/cloudevent.h"

namespace inflow::cli {

void AddCaptureCommand(CLI::App& app, int* exit_code);

// The tracking info the offline tool stamps on its events: name "capture", an id derived from
// the source's host and port (stable across runs against the same server).
changelog::TrackingInfo CaptureTrackingInfo(std::string_view host_port, std::string database_type,
                                            std::string database_version);

}  // namespace inflow::cli

#endif  // INFLOW_CLI_CAPTURE_COMMAND_H_
