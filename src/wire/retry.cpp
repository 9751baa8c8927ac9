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

// ---------------------------------------------------------------- adaptive mode
// botocore's constants: CUBIC scale 0.4 and beta 0.7, rate at most twice the measured one, a bucket that fills at
// least 0.5 tokens a second, the send rate measured over half-second buckets with smoothing 0.8.
namespace {
constexpr double cubic_scale = 0.4, cubic_beta = 0.7, max_rate_adjust = 2.0, min_fill_rate = 0.5;
constexpr double rate_bucket = 0.5, smoothing = 0.8;
double seconds_of(steady_time t) { return std::chrono::duration<double>(t.time_since_epoch()).count(); }
}  // namespace

adaptive_limiter::adaptive_limiter(double start)
    : last_refill_(start), last_fail_(start), last_bucket_(std::floor(start)) {}
adaptive_limiter::adaptive_limiter(steady_time start) : adaptive_limiter(seconds_of(start)) {}

double adaptive_limiter::cubic_zero_point() const { return std::cbrt(w_max_ * (1 - cubic_beta) / cubic_scale); }

void adaptive_limiter::refill(double t) {
  capacity_ = std::min(max_capacity_, capacity_ + (t - last_refill_) * fill_rate_);
  last_refill_ = t;
}

void adaptive_limiter::set_fill_rate(double t, double rate) {
  refill(t);
  fill_rate_ = std::max(rate, min_fill_rate);
  max_capacity_ = rate >= 1 ? rate : 1;
  capacity_ = std::min(capacity_, max_capacity_);
}

double adaptive_limiter::acquire_at(double t) {
  std::lock_guard lock(mu_);
  if (!enabled_) return 0;
  refill(t);
  if (capacity_ >= 1) {
    capacity_ -= 1;
    return 0;
  }
  return (1 - capacity_) / fill_rate_;
}

void adaptive_limiter::on_response_at(double t, bool throttled) {
  std::lock_guard lock(mu_);
  // the measured send rate
  double bucket = std::floor(t / rate_bucket) * rate_bucket;
  count_ += 1;
  if (bucket > last_bucket_) {
    measured_ = count_ / (bucket - last_bucket_) * smoothing + measured_ * (1 - smoothing);
    count_ = 0;
    last_bucket_ = bucket;
  }
  double rate;
  if (!throttled) {
    rate = cubic_scale * std::pow(t - last_fail_ - k_, 3) + w_max_;
  } else {
    w_max_ = enabled_ ? std::min(measured_, fill_rate_) : measured_;
    k_ = cubic_zero_point();
    last_fail_ = t;
    rate = w_max_ * cubic_beta;
    enabled_ = true;
  }
  set_fill_rate(t, std::min(rate, max_rate_adjust * measured_));
}

std::chrono::microseconds adaptive_limiter::acquire(steady_time now) {
  return std::chrono::microseconds(static_cast<long long>(std::ceil(acquire_at(seconds_of(now)) * 1e6)));
}
void adaptive_limiter::on_response(steady_time now, bool throttled) { on_response_at(seconds_of(now), throttled); }
bool adaptive_limiter::enabled() const {
  std::lock_guard lock(mu_);
  return enabled_;
}
double adaptive_limiter::fill_rate() const {
  std::lock_guard lock(mu_);
  return fill_rate_;
}
double adaptive_limiter::measured_rate() const {
  std::lock_guard lock(mu_);
  return measured_;
}

}  // namespace dynantic::detail
