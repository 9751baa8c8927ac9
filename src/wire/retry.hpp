#pragma once
// Standard-mode retry policy: which failures are retried, the backoff, and the retry quota.
#include <chrono>
#include <mutex>
#include <optional>
#include <string_view>

#include <dynantic/client.hpp>

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
