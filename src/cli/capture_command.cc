#include "cli/capture_command.h"

#include <openssl/evp.h>

#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <memory>

#include "capture/mysql/mysql_source.h"
#include "capture/source.h"
#include "changelog/stored_record.h"
#include "cli/command.h"

namespace inflow::cli {
namespace {

struct CaptureFlags {
  std::string source;
  std::string from = "now";
  std::string tables;
  uint64_t limit = 0;         // 0 = no limit
  double idle_timeout_s = 0;  // 0 = wait forever
};

int RunCapture(const CaptureFlags& flags) {
  auto connection = capture::mysql::ParseSourceUrl(flags.source);
  if (!connection) {
    std::cerr << "inflow capture: --source: " << connection.error().message() << "\n";
    return kExitBadInput;
  }
  auto start = capture::StartPosition::Parse(flags.from);
  if (!start) {
    std::cerr << "inflow capture: --from: " << start.error().message() << "\n";
    return kExitBadInput;
  }
  auto tables = capture::TableFilter::Parse(flags.tables);
  if (!tables) {
    std::cerr << "inflow capture: --tables: " << tables.error().message() << "\n";
    return kExitBadInput;
  }
  capture::mysql::MysqlSourceOptions options;
  options.connection = *connection;
  options.start = *start;
  options.tables = *tables;
  options.log = [](std::string_view line) { std::cerr << "inflow capture: " << line << "\n"; };
  auto source = capture::mysql::MysqlSource::Open(std::move(options));
  if (!source) {
    std::cerr << "inflow capture: " << source.error().ToString() << "\n";
    return kExitFailure;
  }
  for (const std::string& w : (*source)->warnings()) {
    std::cerr << "inflow capture: warning: " << w << "\n";
  }
  changelog::TrackingInfo tracking = CaptureTrackingInfo(
      connection->Peer(), (*source)->database_type(), (*source)->server_version());

  using Clock = std::chrono::steady_clock;
  auto idle = std::chrono::milliseconds(static_cast<int64_t>(flags.idle_timeout_s * 1000));
  auto last_event = Clock::now();
  uint64_t printed = 0;
  std::string line;
  while (flags.limit == 0 || printed < flags.limit) {
    auto wait = std::chrono::milliseconds(1000);
    auto tx = (*source)->Next(wait);
    if (!tx) {
      std::cerr << "inflow capture: " << tx.error().ToString() << "\n";
      return kExitFailure;
    }
    if (!*tx) {
      if (idle.count() > 0 && Clock::now() - last_event >= idle) break;
      continue;
    }
    last_event = Clock::now();
    for (changelog::ChangeRecord& record : (*tx)->records) {
      changelog::StoredRecord stored{RecordId(printed + 1), std::move(record)};
      line = changelog::RenderCloudEvent(stored, tracking);
      line.push_back('\n');
      std::fwrite(line.data(), 1, line.size(), stdout);
      std::fflush(stdout);  // line-buffered even into a pipe
      ++printed;
      if (flags.limit != 0 && printed >= flags.limit) break;
    }
    (*source)->Acknowledge((*tx)->position);
  }
  (*source)->Stop();
  return kExitOk;
}

// Longest --idle-timeout-s: a year (its milliseconds fit an int64 with room to spare).
constexpr double kMaxIdleTimeoutS = 365.0 * 86400;

// CLI11's Range lets NaN through (every comparison with it is false) and the unsigned parse
// wraps "-1"; both would reach a cast whose result is undefined. These validators read the
// text themselves and accept only what the casts can hold.
CLI::Validator IdleTimeoutSeconds() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        double v = 0;
        auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
        if (ec != std::errc() || p != text.data() + text.size() || !(v >= 0) ||
            !(v <= kMaxIdleTimeoutS)) {
          return "'" + text + "' is not a number of seconds from 0 to " +
                 std::to_string(static_cast<int64_t>(kMaxIdleTimeoutS));
        }
        return {};
      },
      "SECONDS in [0 - 31536000]");
}

CLI::Validator EventCount() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        uint64_t v = 0;
        auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
        if (text.empty() || ec != std::errc() || p != text.data() + text.size()) {
          return "'" + text + "' is not a whole number of events (0 or more)";
        }
        return {};
      },
      "N >= 0");
}

}  // namespace

changelog::TrackingInfo CaptureTrackingInfo(std::string_view host_port, std::string database_type,
                                            std::string database_version) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  std::string seed = "inflow capture " + std::string(host_port);
  EVP_Digest(seed.data(), seed.size(), digest, &len, EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id;
  for (int i = 0; i < 16; ++i) {
    id.push_back(kHex[digest[i] >> 4]);
    id.push_back(kHex[digest[i] & 15]);
  }
  return changelog::TrackingInfo{"capture", id, std::move(database_type),
                                 std::move(database_version)};
}

void AddCaptureCommand(CLI::App& app, int* exit_code) {
  auto flags = std::make_shared<CaptureFlags>();
  CLI::App* cmd = app.add_subcommand(
      "capture", "Print a MariaDB / MySQL server's row changes as CloudEvent JSON lines");
  cmd->add_option("--source", flags->source,
                  "mysql://user:password@host:port (or mariadb://), optional ?tls=...")
      ->required();
  cmd->add_option("--from", flags->from, "earliest | now | GTID set | FILE:POS (default now)");
  cmd->add_option("--tables", flags->tables,
                  "db.table patterns with * wildcards, comma-separated; !pattern excludes");
  cmd->add_option("--limit", flags->limit, "stop after N events (0 = no limit)")
      ->check(EventCount());
  cmd->add_option("--idle-timeout-s", flags->idle_timeout_s,
                  "exit 0 after this many seconds without a change (0 = wait forever)")
      ->check(IdleTimeoutSeconds());
  cmd->callback([flags, exit_code] { *exit_code = RunCapture(*flags); });
}

}  // namespace inflow::cli
