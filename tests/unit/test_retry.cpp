// Retry policy: classification, backoff bounds, the retry quota, and the executor driven by a scripted
// transport on a fake clock (no sockets, no sleeping).
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <set>
#include <thread>
#include <sstream>
#include <unistd.h>

#include <dynantic/error.hpp>
#include <dynantic/ops/operations.hpp>

#include "http_stub.hpp"
#include "scripted_transport.hpp"
#include "wire/retry.hpp"

namespace test_retry {
using namespace dynantic;
using namespace dynantic::testing;
using detail::net_failure;
using std::chrono::microseconds;
using std::chrono::milliseconds;

TEST(retry, classification) {
  using detail::classify;
  using detail::failure_class;
  EXPECT_EQ(classify(400, "ProvisionedThroughputExceededException"), failure_class::throttle);
  EXPECT_EQ(classify(400, "ThrottlingException"), failure_class::throttle);
  EXPECT_EQ(classify(400, "RequestLimitExceeded"), failure_class::throttle);
  EXPECT_EQ(classify(500, "InternalServerError"), failure_class::transient);
  EXPECT_EQ(classify(503, ""), failure_class::transient);
  EXPECT_EQ(classify(502, ""), failure_class::transient);
  EXPECT_EQ(classify(400, "ValidationException"), failure_class::fatal);
  EXPECT_EQ(classify(400, "ConditionalCheckFailedException"), failure_class::fatal);
  EXPECT_EQ(classify(400, "ResourceNotFoundException"), failure_class::fatal);
  EXPECT_EQ(classify(400, "TransactionCanceledException"), failure_class::fatal);
}

TEST(retry, backoff_is_full_jitter_capped_exponential) {
  retry_options o;
  o.base_delay = milliseconds(25);
  o.throttle_base_delay = milliseconds(500);
  o.max_backoff = milliseconds(20000);
  EXPECT_EQ(detail::backoff(o, 1, false, 0.0), microseconds(0));
  EXPECT_EQ(detail::backoff(o, 1, false, 0.999999), microseconds(24999));
  EXPECT_EQ(detail::backoff(o, 3, false, 0.5), microseconds(50000));        // 0.5 * 25ms * 4
  EXPECT_EQ(detail::backoff(o, 2, true, 0.5), microseconds(500000));        // 0.5 * 500ms * 2
  EXPECT_EQ(detail::backoff(o, 30, false, 0.5), microseconds(10'000'000));  // capped at 20 s
  EXPECT_EQ(detail::backoff(o, 1000, true, 1.0), microseconds(20'000'000));
}

TEST(retry, defaults_are_the_2026_standard_mode_for_dynamodb) {
  retry_options o;
  EXPECT_EQ(o.max_attempts, 0);  // AWS_MAX_ATTEMPTS, the profile, else 4 (environment.max_attempts_and_...)
  EXPECT_EQ(o.base_delay, milliseconds(25));
  EXPECT_EQ(o.throttle_base_delay, milliseconds(1000));
  EXPECT_EQ(o.max_backoff, milliseconds(20000));
  EXPECT_EQ(o.quota_capacity, 500);
  EXPECT_EQ(detail::retry_cost(o, detail::failure_class::transient), 14);
  EXPECT_EQ(detail::retry_cost(o, detail::failure_class::timeout), 14);
  EXPECT_EQ(detail::retry_cost(o, detail::failure_class::throttle), 5);
  auto legacy = retry_options::legacy_standard();
  EXPECT_EQ(legacy.max_attempts, 3);
  EXPECT_EQ(detail::backoff(legacy, 2, false, 0.5), microseconds(1'000'000));  // 0.5 * 1 s * 2
  EXPECT_EQ(detail::retry_cost(legacy, detail::failure_class::transient), 5);
  EXPECT_EQ(detail::retry_cost(legacy, detail::failure_class::timeout), 10);
}

TEST(retry, retry_after_moves_the_delay_within_five_seconds_of_the_backoff) {
  retry_options o;  // 25 ms base: with r = 0.5 the first backoff is 12.5 ms
  EXPECT_EQ(detail::backoff(o, 1, false, 0.5, milliseconds(800)), microseconds(800'000));       // longer: honoured
  EXPECT_EQ(detail::backoff(o, 1, false, 0.5, milliseconds(1)), microseconds(12'500));          // shorter: the backoff
  EXPECT_EQ(detail::backoff(o, 1, false, 0.5, milliseconds(60'000)), microseconds(5'012'500));  // at most +5 s
  o.honor_retry_after = false;
  EXPECT_EQ(detail::backoff(o, 1, false, 0.5, milliseconds(800)), microseconds(12'500));
}

TEST(retry, quota_drains_and_refills) {
  retry_options o;
  o.quota_capacity = 12;
  detail::retry_quota q(o);
  EXPECT_TRUE(q.acquire(5));
  EXPECT_TRUE(q.acquire(5));
  EXPECT_FALSE(q.acquire(5));  // 2 left
  EXPECT_EQ(q.available(), 2);
  q.on_success(5, 1);  // a retried success gives back its retry's cost
  EXPECT_EQ(q.available(), 7);
  q.on_success(0, 1);
  EXPECT_EQ(q.available(), 8);
  for (int i = 0; i < 100; ++i) q.on_success(0, 1);
  EXPECT_EQ(q.available(), 12);  // never above capacity
}

client_options seeded(double r = 0.5) {
  client_options o;
  o.retry.random = [r] { return r; };
  return o;
}

TEST(executor, retries_transient_failures_then_succeeds) {
  scripted_transport* t = nullptr;
  auto c = scripted_client(
      [](const recorded_request&, std::size_t i) {
        if (i == 0) return aws_error(503, "ServiceUnavailable");
        if (i == 1) return aws_error(500, "InternalServerError");
        return ok(R"({"TableNames":["a"]})");
      },
      t, seeded(0.5));
  auto r = ops::list_tables(c);
  ASSERT_EQ(r.table_names, std::vector<std::string>{"a"});
  ASSERT_EQ(t->requests.size(), 3u);
  // full jitter with r = 0.5: 12.5 ms, then 25 ms
  EXPECT_EQ(t->waits, (std::vector<microseconds>{microseconds(12500), microseconds(25000)}));
}

TEST(executor, the_servers_retry_after_is_honoured) {
  scripted_transport* t = nullptr;
  auto c = scripted_client(
      [](const recorded_request&, std::size_t i) {
        if (i > 0) return ok(R"({"TableNames":[]})");
        auto r = aws_error(503, "ServiceUnavailable");
        r.retry_after = milliseconds(300);
        return r;
      },
      t, seeded(0.5));
  ops::list_tables(c);
  EXPECT_EQ(t->waits, (std::vector<microseconds>{microseconds(300000)}));
}

TEST(executor, throttling_uses_the_throttle_base) {
  scripted_transport* t = nullptr;
  auto c = scripted_client(
      [](const recorded_request&, std::size_t i) {
        return i == 0 ? aws_error(400, "ProvisionedThroughputExceededException") : ok("{}");
      },
      t, seeded(0.5));
  ops::list_tables(c);
  EXPECT_EQ(t->waits, (std::vector<microseconds>{microseconds(500000)}));  // 0.5 * 1 s
}

TEST(executor, gives_up_after_max_attempts_with_the_typed_error) {
  scripted_transport* t = nullptr;
  auto c = scripted_client(
      [](const recorded_request&, std::size_t) { return aws_error(400, "ProvisionedThroughputExceededException"); }, t,
      seeded());
  try {
    ops::list_tables(c);
    FAIL();
  } catch (const throttled& e) {
    EXPECT_EQ(e.attempts(), 4);
    EXPECT_EQ(e.http_status(), 400);
    EXPECT_EQ(e.request_id(), "req-ProvisionedThroughputExceededException");
    EXPECT_TRUE(e.retryable());
  }
  EXPECT_EQ(t->requests.size(), 4u);
}

TEST(executor, max_attempts_is_configurable) {
  scripted_transport* t = nullptr;
  auto o = seeded();
  o.retry.max_attempts = 6;
  auto c =
      scripted_client([](const recorded_request&, std::size_t) { return aws_error(500, "InternalServerError"); }, t, o);
  EXPECT_THROW(ops::list_tables(c), service_error);
  EXPECT_EQ(t->requests.size(), 6u);
  ASSERT_EQ(t->waits.size(), 5u);
  EXPECT_EQ(t->waits[4], microseconds(200000));  // 0.5 * 25 ms * 2^4
}

TEST(executor, fatal_errors_are_not_retried) {
  scripted_transport* t = nullptr;
  auto c = scripted_client([](const recorded_request&, std::size_t) { return aws_error(400, "ValidationException"); },
                           t, seeded());
  EXPECT_THROW(ops::list_tables(c), server_validation_error);
  EXPECT_EQ(t->requests.size(), 1u);
}

TEST(executor, network_failures_are_retried_and_typed) {
  for (auto f : {net_failure::reset, net_failure::timeout, net_failure::connect, net_failure::truncated}) {
    scripted_transport* t = nullptr;
    auto c =
        scripted_client([f](const recorded_request&, std::size_t i) { return i < 1 ? net(f) : ok(); }, t, seeded());
    EXPECT_NO_THROW(ops::list_tables(c));
    EXPECT_EQ(t->requests.size(), 2u);
  }
  scripted_transport* t = nullptr;
  auto c = scripted_client([](const recorded_request&, std::size_t) { return net(net_failure::timeout); }, t, seeded());
  EXPECT_THROW(ops::list_tables(c), request_timeout);
  auto c2 = scripted_client([](const recorded_request&, std::size_t) { return net(net_failure::reset); }, t, seeded());
  try {
    ops::list_tables(c2);
    FAIL();
  } catch (const transport_error& e) {
    EXPECT_EQ(e.failure(), transport_error::kind::reset);
    EXPECT_EQ(e.attempts(), 4);  // the default max_attempts
  }
}

TEST(executor, crc32_mismatch_is_retried) {
  scripted_transport* t = nullptr;
  auto c = scripted_client(
      [](const recorded_request&, std::size_t i) {
        auto r = ok(R"({"TableNames":["x"]})");
        r.crc32 = i == 0 ? "12345" : "890474713";  // crc32 of the body, decimal
        return r;
      },
      t, seeded());
  auto tables = ops::list_tables(c);
  EXPECT_EQ(t->requests.size(), 2u);
  EXPECT_EQ(tables.table_names, std::vector<std::string>{"x"});

  auto always_bad = scripted_client(
      [](const recorded_request&, std::size_t) {
        auto r = ok(R"({"TableNames":["x"]})");
        r.crc32 = "1";
        return r;
      },
      t, seeded());
  try {
    ops::list_tables(always_bad);
    FAIL();
  } catch (const transport_error& e) {
    EXPECT_EQ(e.failure(), transport_error::kind::corrupted);
  }
}

TEST(executor, every_attempt_is_signed_afresh) {
  scripted_transport* t = nullptr;
  auto o = seeded();
  auto tick = std::make_shared<int>(0);
  o.wall_clock = [tick] { return std::chrono::system_clock::from_time_t(1700000000 + (*tick)++); };
  auto c = scripted_client(
      [](const recorded_request&, std::size_t i) { return i < 2 ? aws_error(500, "InternalServerError") : ok(); }, t,
      o);
  ops::list_tables(c);
  ASSERT_EQ(t->requests.size(), 3u);
  EXPECT_NE(t->requests[0].header("X-Amz-Date"), t->requests[1].header("X-Amz-Date"));
  EXPECT_NE(t->requests[0].header("Authorization"), t->requests[1].header("Authorization"));
  EXPECT_NE(t->requests[1].header("Authorization"), t->requests[2].header("Authorization"));
  EXPECT_EQ(t->requests[0].body, t->requests[2].body);
}

TEST(executor, retry_quota_stops_a_retry_storm) {
  scripted_transport* t = nullptr;
  auto o = seeded();
  o.retry.quota_capacity = 56;  // four retries' worth (14 each)
  o.retry.max_attempts = 10;
  auto c =
      scripted_client([](const recorded_request&, std::size_t) { return aws_error(503, "ServiceUnavailable"); }, t, o);
  EXPECT_THROW(ops::list_tables(c), service_error);
  EXPECT_EQ(t->requests.size(), 5u);  // 1 + 4 retries, then the bucket is empty
  t->requests.clear();
  EXPECT_THROW(ops::list_tables(c), service_error);
  EXPECT_EQ(t->requests.size(), 1u);  // no tokens left: no retry at all
}

TEST(executor, retries_cost_by_what_failed) {
  scripted_transport* t = nullptr;
  auto o = seeded();
  o.retry.quota_capacity = 30;
  o.retry.max_attempts = 10;
  auto c = scripted_client([](const recorded_request&, std::size_t) { return net(net_failure::timeout); }, t, o);
  EXPECT_THROW(ops::list_tables(c), request_timeout);
  EXPECT_EQ(t->requests.size(), 3u);  // 1 + 2 retries at 14 tokens each
  scripted_transport* t2 = nullptr;
  auto c2 = scripted_client(
      [](const recorded_request&, std::size_t) { return aws_error(400, "ProvisionedThroughputExceededException"); }, t2,
      o);
  EXPECT_THROW(ops::list_tables(c2), throttled);
  EXPECT_EQ(t2->requests.size(), 7u);  // 1 + 6 retries at 5 tokens each (throttling is cheap to retry)
  auto legacy = seeded();
  legacy.retry = retry_options::legacy_standard();
  legacy.retry.random = [] { return 0.5; };
  legacy.retry.quota_capacity = 20;
  legacy.retry.max_attempts = 10;
  scripted_transport* t3 = nullptr;
  auto c3 = scripted_client([](const recorded_request&, std::size_t) { return net(net_failure::timeout); }, t3, legacy);
  EXPECT_THROW(ops::list_tables(c3), request_timeout);
  EXPECT_EQ(t3->requests.size(), 3u);  // legacy: 1 + 2 retries at 10 tokens each
}

TEST(executor, call_timeout_bounds_a_call_with_its_retries) {
  scripted_transport* t = nullptr;
  auto o = seeded(0.5);
  o.retry.max_attempts = 10;
  o.call_timeout = milliseconds(100);
  auto c =
      scripted_client([](const recorded_request&, std::size_t) { return aws_error(503, "ServiceUnavailable"); }, t, o);
  EXPECT_THROW(ops::list_tables(c), service_error);
  // backoffs 12.5, 25, 50 ms fit in 100 ms; the next (100 ms) would end after the deadline: 4 attempts
  ASSERT_EQ(t->requests.size(), 4u);
  EXPECT_EQ(t->requests[0].timeout, milliseconds(100));  // each attempt is cut at the deadline
  EXPECT_EQ(t->requests[1].timeout, milliseconds(87));
  EXPECT_EQ(t->requests[3].timeout, milliseconds(12));
}

TEST(executor, request_timeout_limits_each_attempt_when_set) {
  scripted_transport* t = nullptr;
  auto o = seeded();
  o.request_timeout = milliseconds(2500);
  auto c = scripted_client([](const recorded_request&, std::size_t) { return ok(); }, t, o);
  ops::list_tables(c);
  EXPECT_EQ(t->requests[0].timeout, milliseconds(2500));
  scripted_transport* t2 = nullptr;
  auto c2 = scripted_client([](const recorded_request&, std::size_t) { return ok(); }, t2, seeded());
  ops::list_tables(c2);
  EXPECT_EQ(t2->requests[0].timeout, milliseconds(0));  // by default only a stall ends an attempt
}

// A server that accepts the request and then sends nothing: the read timeout (no progress) ends the attempt,
// where a whole-request limit would have to be long enough for the slowest healthy answer.
TEST(executor, a_stalled_answer_ends_with_request_timeout) {
  dynantic::testing::http_stub stalled([](const dynantic::testing::stub_request&) {
    return dynantic::testing::stub_response{200, R"({"TableNames":[]})", std::chrono::milliseconds(2500)};
  });
  client_options o;
  o.endpoint = stalled.url();
  o.region = "us-east-1";
  o.credentials = credentials{"a", "b"};
  o.read_timeout = std::chrono::seconds(1);
  o.retry.max_attempts = 1;
  client c(o);
  EXPECT_THROW(ops::list_tables(c), request_timeout);
}

TEST(executor, success_refills_the_quota) {
  scripted_transport* t = nullptr;
  auto o = seeded();
  o.retry.quota_capacity = 14;  // one retry's worth
  o.retry.max_attempts = 10;
  int n = 0;
  auto c = scripted_client([&n](const recorded_request&,
                                std::size_t) { return (n++ % 2 == 0) ? aws_error(500, "InternalServerError") : ok(); },
                           t, o);
  for (int i = 0; i < 20; ++i) EXPECT_NO_THROW(ops::list_tables(c)) << i;  // each retry's cost comes back
}

TEST(executor, many_calls_retry_independently) {
  scripted_transport* t = nullptr;
  auto c = scripted_client(
      [](const recorded_request& r, std::size_t) {
        // the first attempt of each table's call fails once
        static std::set<std::string> seen;
        if (seen.insert(r.body).second) return aws_error(500, "InternalServerError");
        return ok(R"({"Table":{"TableName":"x","TableStatus":"ACTIVE"}})");
      },
      t, seeded());
  std::vector<detail::api_call> calls;
  for (int i = 0; i < 5; ++i)
    calls.push_back({"DescribeTable", R"({"TableName":"t)" + std::to_string(i) + "\"}", {}, {}, 0, {}});
  detail::client_access::impl(c).execute(calls, 3);
  for (const auto& call : calls) {
    EXPECT_FALSE(call.error);
    EXPECT_EQ(call.attempts, 2);
    EXPECT_NE(call.response.find("ACTIVE"), std::string::npos);
  }
}

// ---------------------------------------------------------------- adaptive mode

// Drives our limiter and botocore's ClientRateLimiter (tests/tools/botocore_adaptive.py) through the same sends
// and answers on the same clock: every send is granted or refused alike, and after every answer the fill rate and
// the measured send rate agree.
TEST(adaptive, the_limiter_matches_botocore_event_for_event) {
  struct event {
    double t;
    const char* kind;
  };
  std::vector<event> events;
  double t = 1'000'000.25;
  events.push_back({t, "ok"});
  // 30 sends a second; DynamoDB throttles a burst of them, then some, then none
  for (int i = 0; i < 600; ++i) {
    t += 1.0 / 30 + (i % 7) * 0.003;
    events.push_back({t, "send"});
    bool throttle = (i >= 100 && i < 140 && i % 3 == 0) || (i >= 300 && i < 320 && i % 5 == 0);
    events.push_back({t + 0.004, throttle ? "throttle" : "ok"});
  }
  std::ostringstream in;
  in.precision(17);
  in << "[";
  for (std::size_t i = 0; i < events.size(); ++i) {
    in << (i ? "," : "") << R"({"t":)" << events[i].t << R"(,"kind":")" << events[i].kind << "\"}";
  }
  in << "]";
  std::string file = ::testing::TempDir() + "adaptive_events_" + std::to_string(::getpid()) + ".json";
  std::ofstream(file) << in.str();
  FILE* p = ::popen(("/usr/bin/python3 " DYNANTIC_BOTOCORE_ADAPTIVE " < " + file).c_str(), "r");
  ASSERT_NE(p, nullptr);
  std::vector<std::string> lines;
  char buf[512];
  while (std::fgets(buf, sizeof buf, p)) lines.emplace_back(buf);
  EXPECT_EQ(::pclose(p), 0) << "python3-botocore failed (scripts/test installs it)";
  std::remove(file.c_str());
  ASSERT_EQ(lines.size(), events.size());

  auto number_after = [](const std::string& line, const std::string& key) {
    auto at = line.find("\"" + key + "\": ");
    return at == std::string::npos ? -1.0 : std::strtod(line.c_str() + at + key.size() + 4, nullptr);
  };
  detail::adaptive_limiter ours(events.front().t);
  int refused = 0, throttles = 0;
  for (std::size_t i = 0; i < events.size(); ++i) {
    const auto& e = events[i];
    const auto& theirs = lines[i];
    if (std::string(e.kind) == "send") {
      bool granted = ours.acquire_at(e.t) == 0;
      refused += !granted;
      ASSERT_EQ(granted, theirs.find("true") != std::string::npos) << "event " << i << ": " << theirs;
    } else {
      throttles += std::string(e.kind) == "throttle";
      ours.on_response_at(e.t, std::string(e.kind) == "throttle");
      ASSERT_NEAR(ours.fill_rate(), number_after(theirs, "fill_rate"), 1e-9 * std::max(1.0, ours.fill_rate()))
          << "event " << i << ": " << theirs;
      ASSERT_NEAR(ours.measured_rate(), number_after(theirs, "measured"), 1e-9 * std::max(1.0, ours.measured_rate()))
          << "event " << i << ": " << theirs;
      ASSERT_EQ(ours.enabled(), theirs.find("\"enabled\": true") != std::string::npos) << "event " << i;
    }
  }
  EXPECT_EQ(throttles, 17);
  EXPECT_GT(refused, 0) << "the sequence never made the limiter refuse a send";
}

// On the scripted transport's clock (answers take no time), one call on the wire at a time: after DynamoDB
// throttles the first call, the other five leave one by one as the limiter's tokens come (no two at the same
// instant), where the standard mode sends them back to back at once; all succeed.
TEST(adaptive, after_throttling_attempts_wait_for_the_limiter) {
  for (bool adaptive : {false, true}) {
    scripted_transport* t = nullptr;
    auto o = seeded(0.5);
    o.retry.adaptive = adaptive;
    auto c = scripted_client(
        [](const recorded_request&, std::size_t i) {
          if (i == 0) return aws_error(400, "ProvisionedThroughputExceededException");
          return ok(R"({"Table":{"TableName":"x","TableStatus":"ACTIVE"}})");
        },
        t, o);
    EXPECT_FALSE(c.adaptive_send_rate().has_value());
    std::vector<detail::api_call> calls;
    for (int i = 0; i < 6; ++i)
      calls.push_back({"DescribeTable", R"({"TableName":"t)" + std::to_string(i) + "\"}", {}, {}, 0, {}});
    detail::client_access::impl(c).execute(calls, 1);
    for (const auto& call : calls) EXPECT_FALSE(call.error);
    ASSERT_EQ(t->requests.size(), 7u);
    int at_once = 0;
    for (std::size_t i = 2; i < t->requests.size(); ++i) at_once += t->requests[i].at == t->requests[i - 1].at;
    if (adaptive) {
      EXPECT_EQ(at_once, 0) << "each attempt after the throttling answer waits for a token";
      ASSERT_TRUE(c.adaptive_send_rate().has_value());
      EXPECT_GE(*c.adaptive_send_rate(), 0.5);  // the bucket's floor
    } else {
      EXPECT_EQ(at_once, 4) << "the standard mode sends the other calls at once";
      EXPECT_FALSE(c.adaptive_send_rate().has_value());
    }
  }
}

}  // namespace test_retry

namespace test_retry {
// ---------------------------------------------------------------- consumed capacity

TEST(capacity, asked_of_the_calls_that_take_it_and_summed_per_table_and_index) {
  scripted_transport* t = nullptr;
  client_options o;
  o.consumed_capacity = capacity_detail::indexes;
  auto c = scripted_client(
      [](const recorded_request& r, std::size_t) {
        std::string target = r.header("X-Amz-Target");
        if (target.ends_with(".GetItem")) {
          return ok(R"({"Item":{"pk":{"S":"a"}},"ConsumedCapacity":{"TableName":"users","CapacityUnits":0.5,)"
                    R"("Table":{"CapacityUnits":0.5}}})");
        }
        if (target.ends_with(".BatchWriteItem")) {
          return ok(R"({"UnprocessedItems":{},"ConsumedCapacity":[)"
                    R"({"TableName":"users","CapacityUnits":2.0,"WriteCapacityUnits":2.0},)"
                    R"({"TableName":"orders","CapacityUnits":3.0,"WriteCapacityUnits":3.0,)"
                    R"("GlobalSecondaryIndexes":{"by_user":{"CapacityUnits":1.0,"WriteCapacityUnits":1.0}}}]})");
        }
        return ok(R"({"Table":{"TableName":"users","TableStatus":"ACTIVE"}})");
      },
      t, o);
  consumed_capacity elsewhere;
  capacity_meter outer;
  {
    capacity_meter inner;
    ops::get_item(c, {.table_name = "users", .key = {{"pk", "a"}}});
    ops::batch_write_item(c, {.request_items = {{"users", {write_request::put({{"pk", "a"}})}}}});
    ops::describe_table(c, "users");
    std::thread([&] {
      capacity_meter other;  // another thread's meter sees none of this thread's calls
      elsewhere = other.totals();
    }).join();
    auto in = inner.totals();
    EXPECT_EQ(in.answers, 2u);
    EXPECT_DOUBLE_EQ(in.total.total, 5.5);
    EXPECT_DOUBLE_EQ(in.total.write, 5.0);
    EXPECT_DOUBLE_EQ(in.tables["users"].total, 2.5);
    EXPECT_DOUBLE_EQ(in.tables["orders"].total, 3.0);
    EXPECT_DOUBLE_EQ(in.indexes["orders/by_user"].total, 1.0);
  }
  ops::get_item(c, {.table_name = "users", .key = {{"pk", "a"}}});
  EXPECT_DOUBLE_EQ(outer.totals().total.total, 6.0);  // the outer meter saw both scopes
  EXPECT_DOUBLE_EQ(c.consumed_capacity().total.total, 6.0);
  EXPECT_EQ(elsewhere.answers, 0u);
  // asked where DynamoDB takes it, and only there
  ASSERT_EQ(t->requests.size(), 4u);
  EXPECT_TRUE(t->requests[0].body.starts_with(R"({"ReturnConsumedCapacity":"INDEXES",)")) << t->requests[0].body;
  EXPECT_NE(t->requests[1].body.find(R"("ReturnConsumedCapacity":"INDEXES")"), std::string::npos);
  EXPECT_EQ(t->requests[2].body.find("ReturnConsumedCapacity"), std::string::npos) << t->requests[2].body;
}

TEST(capacity, not_asked_by_default) {
  scripted_transport* t = nullptr;
  auto c = scripted_client([](const recorded_request&, std::size_t) { return ok(R"({})"); }, t);
  capacity_meter m;
  ops::get_item(c, {.table_name = "users", .key = {{"pk", "a"}}});
  EXPECT_EQ(t->requests[0].body.find("ReturnConsumedCapacity"), std::string::npos);
  EXPECT_EQ(m.totals().answers, 0u);
}

}  // namespace test_retry

namespace test_retry {
// ---------------------------------------------------------------- telemetry

struct recording_sink final : telemetry_sink {
  std::vector<call_telemetry> calls;
  void call_finished(const call_telemetry& t) noexcept override { calls.push_back(t); }
};

std::string attribute(const call_telemetry& t, const std::string& name) {
  for (const auto& [k, v] : t.attributes()) {
    if (k == name) return v;
  }
  return "(absent)";
}

TEST(telemetry, one_record_per_call_with_its_attempts_and_opentelemetry_attributes) {
  scripted_transport* t = nullptr;
  auto sink = std::make_shared<recording_sink>();
  auto o = seeded(0.5);
  o.telemetry = sink;
  o.region = "eu-west-1";
  o.endpoint = "https://dynamodb.eu-west-1.amazonaws.com";
  o.consumed_capacity = capacity_detail::total;
  auto c = scripted_client(
      [](const recorded_request& r, std::size_t i) {
        if (i == 0) return aws_error(400, "ThrottlingException");
        if (r.header("X-Amz-Target").ends_with(".Query")) {
          auto a = ok(R"({"Items":[],"Count":3,"ScannedCount":9,)"
                      R"("ConsumedCapacity":{"TableName":"orders","CapacityUnits":1.5}})");
          a.request_id = "req-query";
          return a;
        }
        if (r.header("X-Amz-Target").ends_with(".TransactWriteItems")) return aws_error(400, "ValidationException");
        return ok(R"({"UnprocessedItems":{}})");
      },
      t, o);
  ops::query(c, {.table_name = "orders",
                 .index_name = "by_customer",
                 .key_condition_expression = "customer = :c",
                 .expression_attribute_values = {{":c", "secret-customer-id"}},
                 .limit = 25});
  ops::batch_write_item(c, {.request_items = {{"orders", {write_request::put({{"pk", "secret-key"}})}},
                                              {"users", {write_request::delete_key({{"pk", "secret-key"}})}}}});
  EXPECT_THROW(
      ops::transact_write_items(
          c, {.items = {{.type = ops::transact_write::kind::put, .table_name = "users", .data = {{"pk", "x"}}},
                        {.type = ops::transact_write::kind::delete_, .table_name = "orders", .data = {{"pk", "y"}}}}}),
      server_validation_error);
  ASSERT_EQ(sink->calls.size(), 3u);

  const auto& q = sink->calls[0];
  EXPECT_EQ(q.operation, "Query");
  ASSERT_EQ(q.attempts.size(), 2u);
  EXPECT_EQ(q.throttles, 1);
  EXPECT_EQ(q.attempts[0].http_status, 400);
  EXPECT_EQ(q.attempts[0].error, "ThrottlingException");
  EXPECT_EQ(q.attempts[1].http_status, 200);
  EXPECT_EQ(q.attempts[1].backoff_before, t->waits.at(0));  // the scripted clock's wait before the retry
  EXPECT_EQ(q.backoff, t->waits.at(0));
  EXPECT_TRUE(q.error.empty());
  EXPECT_EQ(attribute(q, "db.system.name"), "aws.dynamodb");
  EXPECT_EQ(attribute(q, "rpc.system"), "aws-api");
  EXPECT_EQ(attribute(q, "rpc.method"), "Query");
  EXPECT_EQ(attribute(q, "cloud.region"), "eu-west-1");
  EXPECT_EQ(attribute(q, "server.address"), "dynamodb.eu-west-1.amazonaws.com");
  EXPECT_EQ(attribute(q, "aws.request_id"), "req-query");
  EXPECT_EQ(attribute(q, "aws.dynamodb.table_names"), R"(["orders"])");
  EXPECT_EQ(attribute(q, "aws.dynamodb.index_name"), "by_customer");
  EXPECT_EQ(attribute(q, "aws.dynamodb.limit"), "25");
  EXPECT_EQ(attribute(q, "aws.dynamodb.count"), "3");
  EXPECT_EQ(attribute(q, "aws.dynamodb.scanned_count"), "9");
  EXPECT_EQ(attribute(q, "aws.dynamodb.consumed_capacity"), R"([{"TableName":"orders","CapacityUnits":1.5}])");
  EXPECT_EQ(attribute(q, "error.type"), "(absent)");

  EXPECT_EQ(attribute(sink->calls[1], "aws.dynamodb.table_names"), R"(["orders","users"])");
  EXPECT_EQ(attribute(sink->calls[2], "aws.dynamodb.table_names"), R"(["users","orders"])");
  EXPECT_EQ(attribute(sink->calls[2], "error.type"), "ValidationException");
  for (const auto& call : sink->calls) {
    for (const auto& [k, v] : call.attributes()) {
      EXPECT_EQ(v.find("secret"), std::string::npos) << k << " shows a key or value: " << v;
    }
  }
}

}  // namespace test_retry

namespace test_retry {
// ---------------------------------------------------------------- item collection metrics

TEST(item_collections, asked_of_writes_and_read_from_every_answer_form) {
  scripted_transport* t = nullptr;
  client_options o;
  o.item_collection_metrics = true;
  auto sink = std::make_shared<recording_sink>();
  o.telemetry = sink;
  auto c = scripted_client(
      [](const recorded_request& r, std::size_t) {
        std::string target = r.header("X-Amz-Target");
        if (target.ends_with(".PutItem")) {
          return ok(R"({"ItemCollectionMetrics":{"ItemCollectionKey":{"pk":{"S":"a"}},)"
                    R"("SizeEstimateRangeGB":[1.0,2.0]}})");
        }
        if (target.ends_with(".BatchWriteItem")) {
          return ok(R"({"UnprocessedItems":{},"ItemCollectionMetrics":{"events":[)"
                    R"({"ItemCollectionKey":{"pk":{"S":"a"}},"SizeEstimateRangeGB":[3.0,4.0]},)"
                    R"({"ItemCollectionKey":{"pk":{"S":"b"}},"SizeEstimateRangeGB":[0.0,1.0]}]}})");
        }
        if (target.ends_with(".TransactWriteItems")) {
          return ok(R"({"ItemCollectionMetrics":{"orders":[)"
                    R"({"ItemCollectionKey":{"customer":{"N":"7"}},"SizeEstimateRangeGB":[9.0,10.0]}]}})");
        }
        return ok(R"({})");
      },
      t, o);
  capacity_meter meter;
  auto put = ops::put_item(c, {.table_name = "events", .item = {{"pk", "a"}, {"sk", "1"}}});
  ASSERT_TRUE(put.item_collection_metrics.has_value());
  EXPECT_EQ(put.item_collection_metrics->key, (item{{"pk", "a"}}));
  EXPECT_DOUBLE_EQ(put.item_collection_metrics->low_gb, 1.0);
  EXPECT_DOUBLE_EQ(put.item_collection_metrics->high_gb, 2.0);
  auto batch = ops::batch_write_item(c, {.request_items = {{"events", {write_request::put({{"pk", "a"}})}}}});
  ASSERT_EQ(batch.item_collection_metrics["events"].size(), 2u);
  EXPECT_EQ(batch.item_collection_metrics["events"][1].key, (item{{"pk", "b"}}));
  EXPECT_DOUBLE_EQ(batch.item_collection_metrics["events"][0].high_gb, 4.0);
  auto tx = ops::transact_write_items(
      c, {.items = {{.type = ops::transact_write::kind::put, .table_name = "orders", .data = {{"customer", 7}}}}});
  ASSERT_EQ(tx.item_collection_metrics["orders"].size(), 1u);
  EXPECT_EQ(tx.item_collection_metrics["orders"][0].key, (item{{"customer", 7}}));
  auto del = ops::delete_item(c, {.table_name = "events", .key = {{"pk", "z"}, {"sk", "1"}}});
  EXPECT_FALSE(del.item_collection_metrics.has_value());  // an answer without metrics: none
  ops::get_item(c, {.table_name = "events", .key = {{"pk", "a"}, {"sk", "1"}}});

  // asked of the four writes, not of the read
  ASSERT_EQ(t->requests.size(), 5u);
  for (std::size_t i = 0; i < 4; ++i) {
    EXPECT_TRUE(t->requests[i].body.starts_with(R"({"ReturnItemCollectionMetrics":"SIZE",)")) << t->requests[i].body;
  }
  EXPECT_EQ(t->requests[4].body.find("ReturnItemCollectionMetrics"), std::string::npos);

  // the meter keeps the latest estimate per collection
  auto seen = meter.item_collections();
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[0].table, "events");
  EXPECT_EQ(seen[0].key_json, R"({"pk":{"S":"a"}})");
  EXPECT_DOUBLE_EQ(seen[0].low_gb, 3.0);  // the batch's estimate replaced the put's
  EXPECT_EQ(seen[1].key_json, R"({"pk":{"S":"b"}})");
  EXPECT_EQ(seen[2].table, "orders");
  EXPECT_EQ(seen[2].key_digest.size(), 16u);
  auto largest = meter.largest_item_collection();
  ASSERT_TRUE(largest.has_value());
  EXPECT_EQ(largest->table, "orders");
  EXPECT_DOUBLE_EQ(largest->high_gb, 10.0);

  // telemetry: digests only
  ASSERT_EQ(sink->calls.size(), 5u);
  ASSERT_EQ(sink->calls[0].item_collections.size(), 1u);
  EXPECT_TRUE(sink->calls[0].item_collections[0].key_json.empty());
  EXPECT_EQ(attribute(sink->calls[0], "aws.dynamodb.item_collection_metrics"),
            R"({"events":[{"ItemCollectionKey":")" + seen[0].key_digest + R"(","SizeEstimateRangeGB":[1,2]}]})");
  EXPECT_EQ(attribute(sink->calls[4], "aws.dynamodb.item_collection_metrics"), "(absent)");
  for (const auto& call : sink->calls) {
    for (const auto& [k, v] : call.attributes()) EXPECT_EQ(v.find("\"S\":\"a\""), std::string::npos) << k;
  }
}

TEST(item_collections, not_asked_by_default) {
  scripted_transport* t = nullptr;
  auto c = scripted_client(
      [](const recorded_request&, std::size_t) {
        return ok(R"({"ItemCollectionMetrics":{"ItemCollectionKey":{"pk":{"S":"a"}},"SizeEstimateRangeGB":[1,2]}})");
      },
      t);
  capacity_meter m;
  auto put = ops::put_item(c, {.table_name = "events", .item = {{"pk", "a"}}});
  EXPECT_EQ(t->requests[0].body.find("ReturnItemCollectionMetrics"), std::string::npos);
  EXPECT_TRUE(put.item_collection_metrics.has_value());  // the ops result shows what the answer holds
  EXPECT_TRUE(m.item_collections().empty());             // the client reads nothing it did not ask for
}

}  // namespace test_retry
