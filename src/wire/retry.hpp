#pragma once
// Standard-mode retry policy: which failures are retried, the backoff, and the retry quota.
#include <chrono>
#include <mutex>
#include <optional>
#include <string_view>

#include <dynantic/client.hpp>

#include "wire/transport.hpp"

namespace dynantic::detail {

enum class failure_class {
  throttle,   // throttling error codes: backoff from throttle_base_delay
  transient,  // 5xx, transient codes, CRC mismatch, truncated body
  timeout,    // timeouts and dropped connections: costs timeout_cost tokens
  fatal,      // not retried
};

/// Classifies an error answer by its HTTP status and AWS error code.
failure_class classify(int http_status, std::string_view code);
bool is_throttling_code(std::string_view code);

/// Backoff before retry number `retry` (1 for the first retry), with `r` uniform in [0, 1). `retry_after`: the
/// answer's x-amz-retry-after, which (when honoured) moves the delay within [backoff, backoff + 5 s].
std::chrono::microseconds backoff(const retry_options& o, int retry, bool throttle, double r,
                                  std::optional<std::chrono::milliseconds> retry_after = std::nullopt);
/// The quota cost of a retry after a failure of class `c`.
int retry_cost(const retry_options& o, failure_class c);

/// The adaptive mode's client-side rate limiter, as botocore's ClientRateLimiter (retries/adaptive.py,
/// throttling.py, bucket.py): a token bucket whose fill rate CUBIC sets from the answers. Off until the first
/// throttling answer. Non-blocking: acquire() says how long to wait instead of sleeping. Thread-safe.
class adaptive_limiter {
 public:
  /// Made at `start` (the client's creation), as botocore makes it with the client.
  explicit adaptive_limiter(steady_time start);
  explicit adaptive_limiter(double start_seconds);
  /// Takes a send token at `now`: zero when one was available, else how long until one will be (nothing taken).
  std::chrono::microseconds acquire(steady_time now);
  /// Every answer of an attempt (success or failure), `throttled` when it was a throttling error.
  void on_response(steady_time now, bool throttled);
  bool enabled() const;
  /// The bucket's fill rate (sends per second) and the smoothed measured send rate.
  double fill_rate() const;
  double measured_rate() const;

  /// The same on seconds as doubles (the tests compare them with botocore's on the same clock).
  double acquire_at(double t);
  void on_response_at(double t, bool throttled);

 private:
  void refill(double t);
  void set_fill_rate(double t, double rate);
  double cubic_zero_point() const;

  mutable std::mutex mu_;
  bool enabled_ = false;
  // token bucket
  double fill_rate_ = 1, max_capacity_ = 1, capacity_ = 0;
  double last_refill_;
  // CUBIC
  double w_max_ = 0, k_ = 0, last_fail_ = 0;
  // measured send rate, over half-second buckets
  double measured_ = 0, last_bucket_ = 0, count_ = 0;
};

/// Token bucket shared by all calls of a client.
class retry_quota {
 public:
  explicit retry_quota(const retry_options& o) : capacity_(o.quota_capacity), tokens_(o.quota_capacity) {}
  /// Takes `cost` tokens for a retry; false (and takes nothing) when the bucket holds fewer.
  bool acquire(int cost);
  /// After a success: returns the tokens its retries took, or `no_retry_refund` when it had none.
  void on_success(int retry_tokens_taken, int no_retry_refund);
  int available() const;

 private:
  mutable std::mutex mu_;
  int capacity_;
  int tokens_;
};

}  // namespace dynantic::detail
