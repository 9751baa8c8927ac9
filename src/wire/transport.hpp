#pragma once
// The seam between the retrying executor and the network. The production transport is libcurl's multi
// interface; unit tests plug in a scripted transport with a fake clock.
#include <chrono>
#include <cstddef>
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

class transport {
 public:
  virtual ~transport() = default;
  virtual steady_time now() = 0;
  /// Runs `source` until done(), with at most `max_in_flight` requests on the wire at once.
  virtual void run(request_source& source, std::size_t max_in_flight) = 0;
};

std::unique_ptr<transport> make_curl_transport(const client_options& o);

}  // namespace dynantic::detail
