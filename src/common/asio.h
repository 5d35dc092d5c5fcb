// The one place that includes Boost.Asio. Boost 1.74's asio/awaitable.hpp uses std::exchange
// without including <utility>, so <utility> must come first. Include this header (never
// <boost/asio.hpp> directly) and keep it out of widely included headers: an Asio translation
// unit takes ~15 s to compile here.
#ifndef INFLOW_COMMON_ASIO_H_
#define INFLOW_COMMON_ASIO_H_

// clang-format off
#include <utility>  // must precede Asio, see above
#include <boost/asio.hpp>
// clang-format on

namespace asio = boost::asio;

#endif  // INFLOW_COMMON_ASIO_H_
