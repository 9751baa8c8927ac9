#pragma once
// A fault-injecting HTTP/1.1 proxy for tests: listens on 127.0.0.1 only, forwards to one upstream
// (DynamoDB Local), and answers chosen requests with injected faults instead. Bounded: it stops itself
// after max_lifetime without activity or after max_requests, and on destruction.
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>
#include <list>
#include <random>

namespace dynantic::testing {

enum class fault {
  none,         // forward and relay the answer
  throttle,     // 400 ProvisionedThroughputExceededException, not forwarded
  error500,     // 500 InternalServerError, not forwarded
  error503,     // 503 ServiceUnavailable, not forwarded
  reset,        // connection reset before forwarding
  lost_answer,  // forwarded (the server applies it), then the connection is reset: the answer is lost
  truncate,     // forwarded; the answer is cut in half (Content-Length says more)
  corrupt,      // forwarded; one byte of the answer is changed (x-amz-crc32 no longer matches)
};

/// Parses "throttle", "500", "503", "reset", "lost", "truncate", "corrupt", "ok".
fault parse_fault(const std::string& name);

struct fault_proxy_options {
  std::string upstream_host = "127.0.0.1";
  int upstream_port = 8000;
  /// Faults for the first requests, in order; every later request gets the random faults below.
  std::vector<fault> script;
  /// Random faults for requests after the script (probabilities, each request at most one).
  double throttle_rate = 0;
  double error500_rate = 0;
  double reset_rate = 0;
  double error503_rate = 0;
  double lost_answer_rate = 0;
  /// BatchWriteItem / BatchGetItem: each write or key is withheld with this probability and answered as
  /// UnprocessedItems / UnprocessedKeys; the rest is forwarded (so the server applies exactly the rest).
  double unprocessed_rate = 0;
  unsigned seed = 1;
  /// The secret of the access key the client signs with: a request whose body the proxy edits (a partial batch)
  /// is signed again with it, keeping the client's date, scope and signed headers, so that a signature-checking
  /// upstream accepts it as AWS would. Empty: AWS_SECRET_ACCESS_KEY (when unset, edited requests keep the
  /// client's now-wrong signature).
  std::string secret_key;
  /// Stops after this long without a new connection or request.
  std::chrono::seconds max_lifetime{300};
  std::uint64_t max_requests = 1'000'000;
};

class fault_proxy {
 public:
  explicit fault_proxy(fault_proxy_options o);
  ~fault_proxy();
  fault_proxy(const fault_proxy&) = delete;
  fault_proxy& operator=(const fault_proxy&) = delete;

  int port() const { return port_; }
  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }
  /// Requests received so far, and how many of them reached the upstream.
  std::uint64_t requests() const { return requests_.load(); }
  std::uint64_t forwarded() const { return forwarded_.load(); }
  /// Faults injected so far, by kind (scripted and random); `withheld()`: batch writes and keys answered as
  /// unprocessed.
  std::uint64_t injected(fault f) const { return injected_[static_cast<std::size_t>(f)].load(); }
  std::uint64_t withheld() const { return withheld_.load(); }
  /// Replaces the script (counting restarts from the next request).
  void set_script(std::vector<fault> script);
  void stop();
  /// Blocks until stopped (by stop(), the lifetime or the request limit).
  void wait();

 private:
  void accept_loop();
  void serve(int fd);
  fault next_fault();
  bool chance(double p);
  /// Splits a batch request: forwards a random part, answers the rest as unprocessed. Returns false when
  /// the upstream exchange failed.
  bool partial_batch(int fd, int& up, std::string& up_in, const std::string& head, const std::string& body,
                     bool is_write);

  fault_proxy_options o_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<std::uint64_t> requests_{0}, forwarded_{0}, withheld_{0};
  std::array<std::atomic<std::uint64_t>, 8> injected_{};
  std::mutex mu_;
  std::vector<fault> script_;
  std::size_t script_pos_ = 0;
  std::mt19937 gen_;
  std::thread acceptor_;
  struct worker {
    std::thread thread;
    std::shared_ptr<std::atomic<bool>> done;
  };
  std::vector<worker> workers_;  // only the acceptor thread and wait() touch it
};

/// Splits "http://host:port" into host and port.
bool split_endpoint(const std::string& url, std::string& host, int& port);

}  // namespace dynantic::testing
