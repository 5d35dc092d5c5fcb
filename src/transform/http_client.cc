#include "transform/http_client.h"

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <optional>

#include "common/asio.h"

namespace inflow::transform {

namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

Result<Url> Url::Parse(std::string_view text) {
  constexpr std::string_view kHttp = "http://";
  if (text.substr(0, 8) == "https://") {
    return Fail(InvalidArgument("url '" + std::string(text) +
                                "': https is not supported; use http:// (e.g. a local proxy)"));
  }
  if (text.substr(0, kHttp.size()) != kHttp) {
    return Fail(InvalidArgument("url '" + std::string(text) + "' must start with http://"));
  }
  std::string_view rest = text.substr(kHttp.size());
  size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  Url url;
  url.target = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  if (authority.empty())
    return Fail(InvalidArgument("url '" + std::string(text) + "' has no host"));
  if (authority.front() == '[') {  // [v6]:port
    size_t close = authority.find(']');
    if (close == std::string_view::npos) {
      return Fail(InvalidArgument("url '" + std::string(text) + "': unterminated IPv6 address"));
    }
    url.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    url.port = after.size() > 1 && after[0] == ':' ? std::string(after.substr(1)) : "80";
  } else {
    size_t colon = authority.rfind(':');
    url.host = std::string(authority.substr(0, colon));
    url.port = colon == std::string_view::npos ? "80" : std::string(authority.substr(colon + 1));
  }
  if (url.host.empty() || url.port.empty() ||
      url.port.find_first_not_of("0123456789") != std::string::npos || url.port.size() > 5 ||
      std::stoi(url.port) == 0 || std::stoi(url.port) > 65535) {
    return Fail(InvalidArgument("url '" + std::string(text) + "': bad host or port"));
  }
  return url;
}

struct HttpClient::Impl {
  asio::io_context ioc;
  std::optional<beast::tcp_stream> stream;
  beast::flat_buffer buffer;
  size_t max_response_bytes = 0;

  // Runs one asynchronous operation to completion on the private io_context. The stream's
  // expiry turns a stuck operation into beast::error::timeout.
  template <typename Start>
  beast::error_code Run(Start&& start) {
    beast::error_code result = asio::error::would_block;
    start([&result](beast::error_code ec, auto&&...) { result = ec; });
    ioc.restart();
    ioc.run();
    return result;
  }

  void Close() {
    if (stream) {
      beast::error_code ignored;
      stream->socket().shutdown(tcp::socket::shutdown_both, ignored);
      stream.reset();
    }
    buffer.clear();
  }
};

namespace {

Error Classify(const beast::error_code& ec, std::string_view what, const Url& url) {
  std::string where = what.empty() ? "" : std::string(what) + " ";
  std::string msg = "http " + where + url.host + ":" + url.port + ": " + ec.message();
  if (ec == beast::error::timeout) return Error(ErrorCode::kTimeout, msg);
  if (ec == http::error::body_limit || ec == http::error::header_limit) {
    return Error(ErrorCode::kResourceExhausted, msg);
  }
  if (ec.category() == http::make_error_code(http::error::bad_version).category()) {
    return Error(ErrorCode::kInvalidArgument, msg + " (malformed HTTP response)");
  }
  return Unavailable(msg);
}

bool IsStaleConnection(const beast::error_code& ec) {
  return ec == http::error::end_of_stream || ec == asio::error::eof ||
         ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
         ec == http::error::partial_message;
}

}  // namespace

HttpClient::HttpClient(Url url, size_t max_response_bytes)
    : url_(std::move(url)), impl_(std::make_unique<Impl>()) {
  impl_->max_response_bytes = max_response_bytes;
}

HttpClient::~HttpClient() = default;

Result<HttpResponse> HttpClient::Request(std::string_view method, std::string_view target,
                                         std::string_view content_type, std::string body,
                                         std::chrono::milliseconds timeout) {
  http::verb verb = http::string_to_verb(beast::string_view(method.data(), method.size()));
  if (verb == http::verb::unknown) {
    return Fail(InvalidArgument("unknown HTTP method '" + std::string(method) + "'"));
  }
  auto deadline = std::chrono::steady_clock::now() + timeout;
  Impl& impl = *impl_;

  for (int attempt = 0;; ++attempt) {
    bool reused = impl.stream.has_value();
    if (!impl.stream) {
      tcp::resolver resolver(impl.ioc);
      tcp::resolver::results_type endpoints;
      beast::error_code ec = impl.Run([&](auto handler) {
        resolver.async_resolve(url_.host, url_.port,
                               [&endpoints, handler](beast::error_code e, auto results) mutable {
                                 endpoints = results;
                                 handler(e);
                               });
      });
      if (ec) return Fail(Classify(ec, "resolve", url_));
      impl.stream.emplace(impl.ioc);
      impl.stream->expires_at(deadline);
      ec = impl.Run([&](auto handler) { impl.stream->async_connect(endpoints, handler); });
      if (ec) {
        impl.Close();
        return Fail(Classify(ec, "connect", url_));
      }
      impl.stream->socket().set_option(tcp::no_delay(true));
    }

    http::request<http::string_body> req{verb, target.empty() ? url_.target : std::string(target),
                                         11};
    req.set(http::field::host, url_.host);
    req.set(http::field::user_agent, "inflow");
    if (!content_type.empty()) {
      req.set(http::field::content_type,
              beast::string_view(content_type.data(), content_type.size()));
    }
    req.keep_alive(true);
    req.body() = body;
    req.prepare_payload();

    impl.stream->expires_at(deadline);
    beast::error_code ec =
        impl.Run([&](auto handler) { http::async_write(*impl.stream, req, handler); });
    http::response_parser<http::string_body> parser;
    parser.body_limit(impl.max_response_bytes);
    // Header first, then body: with Boost 1.74 a single async_read on this parser was seen to
    // accept a Content-Length above body_limit (checked by ResponseOverTheLimitIsRefused).
    if (!ec) {
      ec = impl.Run([&](auto handler) {
        http::async_read_header(*impl.stream, impl.buffer, parser, handler);
      });
    }
    if (!ec && !parser.is_done()) {
      ec = impl.Run(
          [&](auto handler) { http::async_read(*impl.stream, impl.buffer, parser, handler); });
    }
    if (ec) {
      impl.Close();
      // A kept-alive connection the server closed while idle: once, on a fresh connection.
      if (reused && attempt == 0 && IsStaleConnection(ec)) continue;
      return Fail(Classify(ec, "", url_));
    }
    auto& res = parser.get();
    HttpResponse out;
    out.status = static_cast<int>(res.result_int());
    out.content_type = std::string(res[http::field::content_type]);
    out.body = std::move(res.body());
    if (!res.keep_alive()) impl.Close();
    return out;
  }
}

}  // namespace inflow::transform
