// Retries through the fault-injecting proxy in front of DynamoDB Local: each fault is retried and the call
// succeeds, or fails with the right typed error when the attempts run out.
#include <gtest/gtest.h>

#include <dynantic/dynantic.hpp>

#include "fault_proxy.hpp"
#include "test_env.hpp"

namespace test_faults {
using namespace dynantic;
using namespace dynantic::testing;

fault_proxy_options proxy_to_server(std::vector<fault> script) {
  fault_proxy_options o;
  split_endpoint(test_endpoint(), o.upstream_host, o.upstream_port);
  o.script = std::move(script);
  o.max_lifetime = std::chrono::seconds(120);
  return o;
}

client_options fast_retries(const fault_proxy& p, int attempts = 3) {
  auto o = test_options(p.endpoint());
  o.retry.max_attempts = attempts;
  o.retry.base_delay = std::chrono::milliseconds(2);
  o.retry.throttle_base_delay = std::chrono::milliseconds(5);
  // No fault here needs a timeout to show (a lost answer is a reset connection): the limit is generous, so that a
  // slow answer on a loaded machine is not a timeout and an extra attempt the exact counts below would not expect.
  o.request_timeout = std::chrono::milliseconds(60000);
  return o;
}

class faults : public ::testing::TestWithParam<fault> {};

TEST_P(faults, retried_then_succeeds) {
  DYNANTIC_REQUIRE_SERVER();
  auto direct = test_client();
  scratch_table t(direct, "f", false);
  fault_proxy p(proxy_to_server({}));
  client c(fast_retries(p));
  p.set_script({GetParam(), GetParam()});  // two failures, then through
  ops::put_item(c, {.table_name = t.name(), .item = {{"pk", "a"}, {"v", 1}}});
  EXPECT_EQ(p.requests(), 3u);
  auto got = ops::get_item(direct, {.table_name = t.name(), .key = {{"pk", "a"}}, .consistent_read = true});
  ASSERT_TRUE(got.item);
  EXPECT_EQ(got.item->at("v").as_number_text(), "1");

  p.set_script({GetParam()});
  auto read = ops::get_item(c, {.table_name = t.name(), .key = {{"pk", "a"}}, .consistent_read = true});
  ASSERT_TRUE(read.item);
  EXPECT_EQ(p.requests(), 5u);
}

INSTANTIATE_TEST_SUITE_P(each, faults,
                         ::testing::Values(fault::throttle, fault::error500, fault::error503, fault::reset,
                                           fault::truncate, fault::corrupt, fault::lost_answer),
                         [](const auto& info) {
                           switch (info.param) {
                             case fault::throttle: return std::string("throttle");
                             case fault::error500: return std::string("http500");
                             case fault::error503: return std::string("http503");
                             case fault::reset: return std::string("reset");
                             case fault::truncate: return std::string("truncated");
                             case fault::corrupt: return std::string("corrupted");
                             case fault::lost_answer: return std::string("lost_answer");
                             default: return std::string("none");
                           }
                         });

template <class E>
void expect_exhausted(fault f, const std::function<void(const E&)>& check = {}) {
  auto direct = test_client();
  fault_proxy p(proxy_to_server({f, f, f}));
  client c(fast_retries(p));
  try {
    ops::list_tables(c);
    FAIL() << "expected an error";
  } catch (const E& e) {
    if (check) check(e);
  }
  EXPECT_EQ(p.requests(), 3u);
}

TEST(faults_exhausted, throttling_gives_throttled) {
  DYNANTIC_REQUIRE_SERVER();
  expect_exhausted<throttled>(fault::throttle, [](const throttled& e) {
    EXPECT_EQ(e.code(), "ProvisionedThroughputExceededException");
    EXPECT_EQ(e.attempts(), 3);
  });
}

TEST(faults_exhausted, server_errors_give_service_error) {
  DYNANTIC_REQUIRE_SERVER();
  expect_exhausted<service_error>(fault::error500, [](const service_error& e) {
    EXPECT_EQ(e.http_status(), 500);
    EXPECT_TRUE(e.retryable());
  });
  expect_exhausted<service_error>(fault::error503, [](const service_error& e) { EXPECT_EQ(e.http_status(), 503); });
}

TEST(faults_exhausted, resets_give_transport_error) {
  DYNANTIC_REQUIRE_SERVER();
  expect_exhausted<transport_error>(fault::reset, [](const transport_error& e) {
    EXPECT_EQ(e.failure(), transport_error::kind::reset);
    EXPECT_EQ(e.attempts(), 3);
  });
}

TEST(faults_exhausted, truncation_and_corruption_give_transport_error) {
  DYNANTIC_REQUIRE_SERVER();
  expect_exhausted<transport_error>(
      fault::truncate, [](const transport_error& e) { EXPECT_EQ(e.failure(), transport_error::kind::truncated); });
  expect_exhausted<transport_error>(
      fault::corrupt, [](const transport_error& e) { EXPECT_EQ(e.failure(), transport_error::kind::corrupted); });
}

TEST(faults_exhausted, mixed_faults_within_attempts_succeed) {
  DYNANTIC_REQUIRE_SERVER();
  fault_proxy p(proxy_to_server({fault::throttle, fault::reset, fault::error503, fault::truncate}));
  client c(fast_retries(p, 5));
  EXPECT_NO_THROW(ops::list_tables(c));
  EXPECT_EQ(p.requests(), 5u);
}

// libcurl resends a request on its own when a reused connection dies before answering; a lost answer (the
// server applied the request) must be one attempt, seen by the retry policy, not a silent second update.
TEST(faults_exhausted, a_lost_answer_on_a_reused_connection_is_sent_once) {
  DYNANTIC_REQUIRE_SERVER();
  auto direct = test_client();
  scratch_table t(direct, "f", false);
  fault_proxy p(proxy_to_server({}));
  client c(fast_retries(p, 1));
  ops::put_item(c, {.table_name = t.name(), .item = {{"pk", "a"}, {"n", 0}}});  // the connection to reuse
  p.set_script({fault::lost_answer});
  const auto before = p.requests();
  ops::update_item_request add{.table_name = t.name(), .key = {{"pk", "a"}}, .update_expression = "ADD n :one"};
  add.expression_attribute_values = {{":one", 1}};
  EXPECT_THROW(ops::update_item(c, add), transport_error);
  EXPECT_EQ(p.requests() - before, 1u);
  auto got = ops::get_item(direct, {.table_name = t.name(), .key = {{"pk", "a"}}, .consistent_read = true});
  ASSERT_TRUE(got.item);
  EXPECT_EQ(got.item->at("n").as_number_text(), "1");  // applied once
}

// The adaptive mode through the proxy: after a second of puts at the client's own pace (so the limiter has
// measured a send rate), the proxy throttles one request in ten for the next sixty. Every put lands once, the
// proxy saw exactly the puts plus the throttled attempts, and the client's limiter is on.
TEST(faults_adaptive, throttling_engages_the_rate_limiter_and_every_put_lands) {
  DYNANTIC_REQUIRE_SERVER();
  auto direct = test_client();
  scratch_table t(direct, "adaptive", false);
  fault_proxy p(proxy_to_server({}));
  auto o = fast_retries(p, 6);
  o.retry.adaptive = true;
  client c(o);
  EXPECT_FALSE(c.adaptive_send_rate().has_value());
  auto start = std::chrono::steady_clock::now();
  int n = 0;
  auto put = [&] {
    int i = n++;
    ops::put_item(c, {.table_name = t.name(), .item = {{"pk", "k" + std::to_string(i)}, {"v", i + 1}}});
  };
  while (std::chrono::steady_clock::now() - start < std::chrono::milliseconds(1200)) put();
  EXPECT_FALSE(c.adaptive_send_rate().has_value()) << "no throttling yet: the limiter stays off";
  std::vector<fault> script;
  for (int i = 0; i < 60; ++i) script.push_back(i % 10 == 5 ? fault::throttle : fault::none);
  auto before = p.requests();
  p.set_script(script);
  for (int i = 0; i < 100; ++i) put();
  EXPECT_EQ(p.requests() - before, 106u) << "100 puts and 6 throttled attempts";
  ASSERT_TRUE(c.adaptive_send_rate().has_value());
  EXPECT_GE(*c.adaptive_send_rate(), 0.5);
  int stored = 0;
  for (int i = 0; i < n; ++i) {
    auto got = ops::get_item(direct, {.table_name = t.name(), .key = {{"pk", "k" + std::to_string(i)}}});
    stored += got.item && got.item->at("v") == attribute_value(i + 1);
  }
  EXPECT_EQ(stored, n);
}

}  // namespace test_faults
