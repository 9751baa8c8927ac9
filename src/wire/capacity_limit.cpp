// dynantic::capacity_limit: a token bucket of capacity units that answers settle (see client.hpp).
#include <algorithm>
#include <mutex>

#include <dynantic/client.hpp>
#include <dynantic/error.hpp>

namespace dynantic {

struct capacity_limit::state {
  mutable std::mutex mu;
  double burst = 0;
  double tokens = 0;
  std::chrono::steady_clock::time_point last{};
  bool started = false;
  double consumed = 0, reported_units = 0;
  std::uint64_t reported = 0, estimated = 0;
};

capacity_limit::capacity_limit(double units_per_second, double burst)
    : rate_(units_per_second), s_(std::make_unique<state>()) {
  if (!(units_per_second > 0)) throw error("dynantic: a capacity limit needs a positive rate (units per second)");
  s_->burst = burst > 0 ? burst : units_per_second;
  s_->tokens = s_->burst;
}
capacity_limit::~capacity_limit() = default;

double capacity_limit::consumed() const {
  std::lock_guard lock(s_->mu);
  return s_->consumed;
}
std::uint64_t capacity_limit::reported() const {
  std::lock_guard lock(s_->mu);
  return s_->reported;
}
std::uint64_t capacity_limit::estimated() const {
  std::lock_guard lock(s_->mu);
  return s_->estimated;
}
double capacity_limit::expected() const {
  std::lock_guard lock(s_->mu);
  return s_->reported > 0 ? s_->reported_units / static_cast<double>(s_->reported) : 1.0;
}

std::chrono::nanoseconds capacity_limit::take(double estimate, std::chrono::steady_clock::time_point now) {
  std::lock_guard lock(s_->mu);
  if (s_->started && now > s_->last) {
    s_->tokens = std::min(s_->burst, s_->tokens + rate_ * std::chrono::duration<double>(now - s_->last).count());
  }
  if (!s_->started || now > s_->last) s_->last = now;
  s_->started = true;
  if (s_->tokens < 0) {  // in debt: wait until it is paid back
    return std::chrono::nanoseconds(static_cast<std::int64_t>(-s_->tokens / rate_ * 1e9) + 1);
  }
  s_->tokens -= estimate;
  return std::chrono::nanoseconds(0);
}

void capacity_limit::settle(double estimate, double actual, bool reported) {
  std::lock_guard lock(s_->mu);
  s_->tokens = std::min(s_->burst, s_->tokens + estimate - actual);
  s_->consumed += actual;
  if (reported) {
    ++s_->reported;
    s_->reported_units += actual;
  } else if (actual > 0) {
    ++s_->estimated;
  }
}

}  // namespace dynantic
