#include "capture/open_source.h"

#include "capture/mysql/connection_options.h"

namespace inflow::capture {

Result<void> CheckSourceUrl(std::string_view url) {
  if (url.starts_with("mysql://") || url.starts_with("mariadb://")) {
    auto parsed = mysql::ParseSourceUrl(url);
    if (!parsed) return Fail(parsed.error());
    return {};
  }
  if (url.starts_with("postgres://")) {
    return Fail(
        InvalidArgument("postgres:// sources are not supported yet (mysql:// or mariadb://)"));
  }
  return Fail(InvalidArgument("must be a mysql:// or mariadb:// URL"));
}

}  // namespace inflow::capture
