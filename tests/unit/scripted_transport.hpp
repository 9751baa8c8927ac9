#pragma once
// A transport for unit tests: answers each request with a scripted response, on a fake clock that jumps
// to the next due time instead of sleeping. Records every request and every wait.
#include <algorithm>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <dynantic/client.hpp>

#include "wire/client_impl.hpp"

namespace dynantic::testing {

struct recorded_request {
  std::vector<std::string> headers;
  std::string body;
  detail::steady_time at;
  std::chrono::milliseconds timeout{0};  // the attempt's time limit the executor gave the transport
  std::string header(std::string_view name) const {
    for (const auto& h : headers) {
      if (h.size() > name.size() + 1 && h.compare(0, name.size(), name) == 0 && h[name.size()] == ':') {
        return h.substr(name.size() + 2);
      }
    }
    return {};
  }
};

class scripted_transport final : public detail::transport {
 public:
  using responder = std::function<detail::http_response(const recorded_request&, std::size_t index)>;
  explicit scripted_transport(responder r) : respond_(std::move(r)) {}

  detail::steady_time now() override { return now_; }
  // Takes requests as the executor hands them out, up to max_in_flight at once (as the real transport keeps them
  // on the wire), then answers one (the oldest, or the newest with answer_newest_first) and repeats.
  void run(detail::request_source& src, std::size_t max_in_flight) override {
    std::deque<std::pair<std::size_t, std::size_t>> on_wire;  // token, index in requests
    const std::size_t limit = std::max<std::size_t>(1, max_in_flight);
    while (!src.done()) {
      while (on_wire.size() < limit) {
        std::size_t token;
        detail::http_request req;
        if (!src.next(now_, token, req)) break;
        requests.push_back({req.headers, *req.body, now_, req.timeout});
        on_wire.emplace_back(token, requests.size() - 1);
      }
      peak_in_flight = std::max(peak_in_flight, on_wire.size());
      if (!on_wire.empty()) {
        auto [token, index] = answer_newest_first ? on_wire.back() : on_wire.front();
        if (answer_newest_first) {
          on_wire.pop_back();
        } else {
          on_wire.pop_front();
        }
        auto r = respond_(requests[index], index);
        src.complete(token, std::move(r), now_);
        continue;
      }
      auto due = src.next_due();
      if (!due) return;
      waits.push_back(std::chrono::duration_cast<std::chrono::microseconds>(*due - now_));
      now_ = *due;
    }
  }

  /// The most requests that were on the wire at once.
  std::size_t peak_in_flight = 0;
  /// Answers the request sent last first (answers out of order).
  bool answer_newest_first = false;
  std::vector<recorded_request> requests;
  std::vector<std::chrono::microseconds> waits;

 private:
  responder respond_;
  detail::steady_time now_ = detail::steady_time{} + std::chrono::hours(1);
};

inline detail::http_response ok(std::string body = "{}") {
  detail::http_response r;
  r.status = 200;
  r.body = std::move(body);
  return r;
}

inline detail::http_response aws_error(long status, const std::string& code, const std::string& extra = "") {
  detail::http_response r;
  r.status = status;
  r.request_id = "req-" + code;
  r.body =
      R"({"__type":"com.amazonaws.dynamodb.v20120810#)" + code + R"(","message":"msg for )" + code + "\"" + extra + "}";
  return r;
}

inline detail::http_response net(detail::net_failure f) {
  detail::http_response r;
  r.failure = f;
  r.failure_message = "simulated";
  return r;
}

/// A client over a scripted transport. `t` stays valid while the client lives.
inline client scripted_client(scripted_transport::responder r, scripted_transport*& t, client_options o = {}) {
  if (o.endpoint.empty()) o.endpoint = "http://127.0.0.1:9";
  if (o.region.empty()) o.region = "us-east-1";
  if (!o.credentials) o.credentials = credentials{"AK", "SK", ""};
  auto tr = std::make_unique<scripted_transport>(std::move(r));
  t = tr.get();
  return detail::client_access::make(std::make_shared<detail::client_impl>(o, std::move(tr)));
}

}  // namespace dynantic::testing
