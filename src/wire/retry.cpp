#include "wire/retry.hpp"

#include <algorithm>
#include <array>
#include <cmath>

namespace dynantic::detail {

bool is_throttling_code(std::string_view code) {
  static constexpr std::array<std::string_view, 14> codes = {"Throttling",
                                                             "ThrottlingException",
                                                             "ThrottledException",
                                                             "RequestThrottledException",
                                                             "TooManyRequestsException",
                                                             "ProvisionedThroughputExceededException",
                                                             "TransactionInProgressException",
                                                             "RequestLimitExceeded",
                                                             "BandwidthLimitExceeded",
                                                             "LimitExceededException",
                                                             "RequestThrottled",
                                                             "SlowDown",
                                                             "PriorRequestNotComplete",
                                                             "EC2ThrottledException"};
  return std::find(codes.begin(), codes.end(), code) != codes.end();
}

failure_class classify(int http_status, std::string_view code) {
  if (is_throttling_code(code)) return failure_class::throttle;
  if (code == "RequestTimeout" || code == "RequestTimeoutException" || code == "InternalServerError" ||
      code == "ServiceUnavailable") {
    return failure_class::transient;
  }
  if (http_status == 500 || http_status == 502 || http_status == 503 || http_status == 504) {
    return failure_class::transient;
  }
  return failure_class::fatal;
}

std::chrono::microseconds backoff(const retry_options& o, int retry, bool throttle, double r,
                                  std::optional<std::chrono::milliseconds> retry_after) {
  double base_us = std::chrono::duration<double, std::micro>(throttle ? o.throttle_base_delay : o.base_delay).count();
  double cap_us = std::chrono::duration<double, std::micro>(o.max_backoff).count();
  double ceiling = std::min(cap_us, base_us * std::ldexp(1.0, std::min(retry - 1, 40)));
  r = std::clamp(r, 0.0, 1.0);
  double t = r * ceiling;
  if (retry_after && o.honor_retry_after) {
    double after_us = std::chrono::duration<double, std::micro>(*retry_after).count();
    t = std::max(t, std::min(after_us, t + 5e6));
  }
  return std::chrono::microseconds(static_cast<long long>(t));
}

int retry_cost(const retry_options& o, failure_class c) {
  switch (c) {
    case failure_class::throttle: return o.throttle_cost;
    case failure_class::timeout: return o.timeout_cost;
    default: return o.retry_cost;
  }
}

bool retry_quota::acquire(int cost) {
  std::lock_guard lock(mu_);
  if (tokens_ < cost) return false;
  tokens_ -= cost;
  return true;
}

void retry_quota::on_success(int retry_tokens_taken, int no_retry_refund) {
  std::lock_guard lock(mu_);
  tokens_ = std::min(capacity_, tokens_ + (retry_tokens_taken > 0 ? retry_tokens_taken : no_retry_refund));
}

int retry_quota::available() const {
  std::lock_guard lock(mu_);
  return tokens_;
}

}  // namespace dynantic::detail
