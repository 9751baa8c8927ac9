#pragma once
// A loopback HTTP/1.1 server for tests of endpoints DynamoDB Local does not have (STS, the container
// credentials endpoint, instance metadata): one connection at a time, each answered by the test's handler and
// closed. Every request is recorded.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace dynantic::testing {

struct stub_request {
  std::string method, path, body;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string header(const std::string& name) const {
    auto f = headers.find(name);
    return f == headers.end() ? std::string() : f->second;
  }
};

struct stub_response {
  int status = 200;
  std::string body{};
  std::chrono::milliseconds delay{0};  // before answering (slow endpoints)
};

class http_stub {
 public:
  using handler = std::function<stub_response(const stub_request&)>;
  explicit http_stub(handler h) : handler_(std::move(h)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd_ < 0) throw std::runtime_error("http_stub: socket");
    int one = 1;
    ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(fd_, 16) != 0) {
      ::close(fd_);
      throw std::runtime_error("http_stub: bind/listen");
    }
    socklen_t len = sizeof a;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~http_stub() {
    stop_ = true;
    thread_.join();
    ::close(fd_);
  }
  http_stub(const http_stub&) = delete;
  http_stub& operator=(const http_stub&) = delete;

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::vector<stub_request> requests() const {
    std::lock_guard lock(mu_);
    return requests_;
  }

 private:
  void serve() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) continue;
      answer(c);
      ::close(c);
    }
  }
  void answer(int c) {
    std::string in;
    char buf[4096];
    std::size_t header_end = std::string::npos;
    std::size_t want = 0;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
      pollfd p{c, POLLIN, 0};
      if (::poll(&p, 1, 100) <= 0) continue;
      ssize_t n = ::recv(c, buf, sizeof buf, 0);
      if (n <= 0) return;
      in.append(buf, static_cast<std::size_t>(n));
      if (header_end == std::string::npos) {
        header_end = in.find("\r\n\r\n");
        if (header_end == std::string::npos) continue;
        want = header_end + 4 + content_length(in.substr(0, header_end));
      }
      if (in.size() >= want) break;
    }
    if (header_end == std::string::npos) return;
    stub_request r;
    std::string head = in.substr(0, header_end);
    std::size_t line_end = head.find("\r\n");
    std::string first = head.substr(0, line_end);
    r.method = first.substr(0, first.find(' '));
    r.path = first.substr(r.method.size() + 1, first.rfind(' ') - r.method.size() - 1);
    std::size_t pos = line_end == std::string::npos ? head.size() : line_end + 2;
    while (pos < head.size()) {
      std::size_t e = head.find("\r\n", pos);
      if (e == std::string::npos) e = head.size();
      std::string line = head.substr(pos, e - pos);
      auto colon = line.find(':');
      if (colon != std::string::npos) {
        std::string name = line.substr(0, colon);
        for (auto& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        std::string value = line.substr(colon + 1);
        while (!value.empty() && value.front() == ' ') value.erase(0, 1);
        r.headers[name] = value;
      }
      pos = e + 2;
    }
    r.body = in.substr(header_end + 4);
    {
      std::lock_guard lock(mu_);
      requests_.push_back(r);
    }
    stub_response s = handler_(r);
    if (s.delay.count() > 0) std::this_thread::sleep_for(s.delay);
    std::string out = "HTTP/1.1 " + std::to_string(s.status) +
                      " X\r\nContent-Length: " + std::to_string(s.body.size()) + "\r\nConnection: close\r\n\r\n" +
                      s.body;
    std::size_t sent = 0;
    while (sent < out.size()) {
      ssize_t n = ::send(c, out.data() + sent, out.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return;
      sent += static_cast<std::size_t>(n);
    }
  }
  static std::size_t content_length(const std::string& head) {
    std::string lower = head;
    for (auto& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    auto p = lower.find("content-length:");
    return p == std::string::npos ? 0 : std::stoul(lower.substr(p + 15));
  }

  handler handler_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  mutable std::mutex mu_;
  std::vector<stub_request> requests_;
};

}  // namespace dynantic::testing
