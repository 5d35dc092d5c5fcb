// TestHttpServer: a loopback HTTP/1.1 server for unit tests of the HTTP-based steps. It
// answers each request with a handler's (status, body), supports keep-alive, and counts the
// connections it accepted so tests can check connection reuse. Test-only.
//
// Thread safety: the handler runs on the server thread; counters are atomic.
#ifndef INFLOW_TRANSFORM_HTTP_TEST_SERVER_H_
#define INFLOW_TRANSFORM_HTTP_TEST_SERVER_H_

#include <atomic>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <functional>
#include <string>
#include <thread>
#include <utility>

#include "common/asio.h"

namespace inflow::transform {

class TestHttpServer {
 public:
  struct Reply {
    int status = 200;
    std::string body;
    bool close = false;  // close the connection after this reply
  };
  using Handler = std::function<Reply(const std::string& method, const std::string& target,
                                      const std::string& body)>;

  explicit TestHttpServer(Handler handler)
      : handler_(std::move(handler)),
        acceptor_(ioc_, {asio::ip::make_address("127.0.0.1"), 0}),
        thread_([this] { Serve(); }) {}

  ~TestHttpServer() {
    stopping_ = true;
    boost::system::error_code ec;
    // Wake the blocking accept with a throw-away connection.
    asio::io_context wake;
    asio::ip::tcp::socket s(wake);
    s.connect(acceptor_.local_endpoint(), ec);
    thread_.join();
  }

  std::string url(const std::string& path = "/") const {
    return "http://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port()) + path;
  }
  int connections() const { return connections_; }
  int requests() const { return requests_; }

 private:
  void Serve() {
    namespace http = boost::beast::http;
    while (!stopping_) {
      asio::ip::tcp::socket socket(ioc_);
      boost::system::error_code ec;
      acceptor_.accept(socket, ec);
      if (ec || stopping_) break;
      ++connections_;
      boost::beast::flat_buffer buffer;
      for (;;) {
        http::request<http::string_body> req;
        http::read(socket, buffer, req, ec);
        if (ec) break;
        ++requests_;
        Reply reply =
            handler_(std::string(req.method_string()), std::string(req.target()), req.body());
        http::response<http::string_body> res{static_cast<http::status>(reply.status), 11};
        res.set(http::field::content_type, "application/json");
        res.keep_alive(!reply.close);
        res.body() = reply.body;
        res.prepare_payload();
        http::write(socket, res, ec);
        if (ec || reply.close) break;
      }
      socket.shutdown(asio::ip::tcp::socket::shutdown_both, ec);
    }
  }

  Handler handler_;
  asio::io_context ioc_;
  asio::ip::tcp::acceptor acceptor_;
  std::atomic<bool> stopping_{false};
  std::atomic<int> connections_{0};
  std::atomic<int> requests_{0};
  std::thread thread_;
};

}  // namespace inflow::transform

#endif  // INFLOW_TRANSFORM_HTTP_TEST_SERVER_H_
