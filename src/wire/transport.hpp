#pragma once
// The seam between the retrying executor and the network. The production transport is libcurl's multi
// interface; unit tests plug in a scripted transport with a fake clock.
#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <dynantic/client.hpp>

namespace dynantic::detail {

using steady_time = std::chrono::steady_clock::time_point;

enum class net_failure { none, connect, timeout, reset, truncated, tls, other };

struct http_request {
  const std::string* url = nullptr;
  std::vector<std::string> headers;   // "Name: value"
  const std::string* body = nullptr;  // owned by the caller until completion
  /// This attempt's time limit (the call's deadline, or client_options::request_timeout); zero: none.
  std::chrono::milliseconds timeout{0};
};

struct http_response {
  long status = 0;
  std::string body;
  std::string request_id;                                // x-amzn-RequestId
  std::string crc32;                                     // x-amz-crc32 as sent (decimal), empty when absent
  std::optional<std::chrono::milliseconds> retry_after;  // x-amz-retry-after (milliseconds), when valid
  net_failure failure = net_failure::none;
  std::string failure_message;
  std::chrono::microseconds time_to_first_byte{}, duration{};  // as the transport measured them (0: unknown)
};

/// What a transport drives: hands out requests when they are due and takes their answers.
class request_source {
 public:
  virtual ~request_source() = default;
  /// A request due at `now`, with a token to hand back in complete(); false when none is due.
  virtual bool next(steady_time now, std::size_t& token, http_request& out) = 0;
  /// When the next delayed request becomes due (nothing when none is waiting).
  virtual std::optional<steady_time> next_due() const = 0;
  virtual void complete(std::size_t token, http_response&& r, steady_time now) = 0;
  /// Every request has its final answer.
  virtual bool done() const = 0;
};

/// A non-blocking session on a transport (the client's async engine): requests progress only while step() runs,
/// on the thread that calls it.
class transport_session {
 public:
  virtual ~transport_session() = default;
  /// Starts what `src` has due (at most max_in_flight on the wire), moves bytes, hands finished answers to `src`;
  /// waits at most `wait` for something to happen (zero: not at all).
  virtual void step(request_source& src, std::size_t max_in_flight, std::chrono::milliseconds wait) = 0;
  /// Drops the request with this token when it is on the wire (its answer never comes). @return whether it was.
  virtual bool abort(std::size_t token) = 0;
  virtual std::size_t in_flight() const = 0;
  /// A descriptor that is readable when step() has work to do (a socket's activity or a wake()).
  virtual int fd() const = 0;
  /// How soon step() must run even without activity (the transport's own timers); nothing: no timer.
  virtual std::optional<std::chrono::milliseconds> timeout() = 0;
  /// Makes the descriptor readable, so that a step() waiting on another thread returns. Thread-safe.
  virtual void wake() = 0;
};

class transport {
 public:
  virtual ~transport() = default;
  virtual steady_time now() = 0;
  /// Runs `source` until done(), with at most `max_in_flight` requests on the wire at once.
  virtual void run(request_source& source, std::size_t max_in_flight) = 0;
  /// A non-blocking session for the client's async calls. @throws dynantic::error when the transport has none.
  virtual std::unique_ptr<transport_session> open_session();
};

std::unique_ptr<transport> make_curl_transport(const client_options& o);

}  // namespace dynantic::detail
