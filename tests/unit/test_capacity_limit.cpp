// dynantic::capacity_limit on a fake clock: requests keep to the budget the answers report (or their sizes, when
// they report nothing), for pages of a scan and for the chunks of a batch.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>

#include <dynantic/dynantic.hpp>

#include "scripted_transport.hpp"

namespace test_capacity_limit {
namespace dy = dynantic;
using namespace dynantic::testing;

double seconds_between(const recorded_request& a, const recorded_request& b) {
  return std::chrono::duration<double>(b.at - a.at).count();
}

TEST(capacity_limit, scan_pages_keep_to_the_units_the_answers_report) {
  scripted_transport* t = nullptr;
  auto c = scripted_client(
      [](const recorded_request&, std::size_t) {
        return ok(
            R"({"Items":[],"Count":0,"ScannedCount":0,"ConsumedCapacity":{"TableName":"readings","CapacityUnits":5}})");
      },
      t);
  auto budget = std::make_shared<dy::capacity_limit>(10.0);  // 10 units per second, a burst of 10
  dy::ops::scan_request r;
  r.table_name = "readings";
  r.capacity_limit = budget;
  for (int i = 0; i < 20; ++i) dy::ops::scan(c, r);
  ASSERT_EQ(t->requests.size(), 20u);
  for (const auto& q : t->requests) {
    EXPECT_NE(q.body.find(R"("ReturnConsumedCapacity":"TOTAL")"), std::string::npos) << q.body;
  }
  EXPECT_DOUBLE_EQ(budget->consumed(), 100.0);
  EXPECT_EQ(budget->reported(), 20u);
  EXPECT_EQ(budget->estimated(), 0u);
  EXPECT_DOUBLE_EQ(budget->expected(), 5.0);
  // 100 units at 10 per second with a burst of 10: the first three go at once (the bucket's 10 units, then
  // debt), each later one waits for the 5 units of the one before: 17 waits of 0.5 s.
  EXPECT_NEAR(seconds_between(t->requests.front(), t->requests.back()), 8.5, 0.01);
  for (std::size_t i = 3; i < 20; ++i) EXPECT_NEAR(seconds_between(t->requests[i - 1], t->requests[i]), 0.5, 0.01);
}

TEST(capacity_limit, an_answer_without_consumed_capacity_is_charged_by_its_size) {
  scripted_transport* t = nullptr;
  std::string page = R"({"Items":[{"pad":{"S":")" + std::string(20000, 'x') + R"("}}],"Count":1,"ScannedCount":1})";
  auto c = scripted_client([&](const recorded_request&, std::size_t) { return ok(page); }, t);
  auto budget = std::make_shared<dy::capacity_limit>(10.0, 5.0);
  dy::ops::scan_request r;
  r.table_name = "readings";
  r.capacity_limit = budget;
  for (int i = 0; i < 8; ++i) dy::ops::scan(c, r);
  // 20 KB of answer: 5 units of 4 KB, half of it for an eventually consistent read
  EXPECT_DOUBLE_EQ(budget->consumed(), 8 * 2.5);
  EXPECT_EQ(budget->estimated(), 8u);
  EXPECT_EQ(budget->reported(), 0u);
  r.consistent_read = true;
  dy::ops::scan(c, r);
  EXPECT_DOUBLE_EQ(budget->consumed(), 8 * 2.5 + 5);
  // the budget held: 25 units at 10 per second with a burst of 5 take at least (25 - 5 - 5) / 10 s
  EXPECT_GE(seconds_between(t->requests.front(), t->requests.back()), 1.5 - 0.01);
}

struct Event {
  std::string id;
  std::string body;
};
DYNANTIC_MODEL(Event, "events", key(id), field(body))

TEST(capacity_limit, the_chunks_of_a_batch_keep_to_it) {
  scripted_transport* t = nullptr;
  auto c = scripted_client(
      [](const recorded_request&, std::size_t) {
        return ok(R"({"UnprocessedItems":{},"ConsumedCapacity":[{"TableName":"events","CapacityUnits":25}]})");
      },
      t);
  std::vector<Event> events;
  for (int i = 0; i < 100; ++i) events.push_back({"e-" + std::to_string(i), "payload"});
  dy::batch_options o;
  o.capacity_limit = std::make_shared<dy::capacity_limit>(10.0);
  dy::table<Event>(c).batch_save(events, o);
  ASSERT_EQ(t->requests.size(), 4u);  // four BatchWriteItem requests of 25 puts, each estimated at 25 units
  EXPECT_DOUBLE_EQ(o.capacity_limit->consumed(), 100.0);
  EXPECT_EQ(o.capacity_limit->reported(), 4u);
  // the first goes on the burst (into debt by 15), then each waits until the debt is paid: 1.5 s, 2.5 s, 2.5 s
  EXPECT_NEAR(seconds_between(t->requests[0], t->requests[1]), 1.5, 0.01);
  EXPECT_NEAR(seconds_between(t->requests[1], t->requests[2]), 2.5, 0.01);
  EXPECT_NEAR(seconds_between(t->requests[2], t->requests[3]), 2.5, 0.01);
}

TEST(capacity_limit, a_rate_that_is_not_positive_is_refused) {
  EXPECT_THROW(dy::capacity_limit(0.0), dy::error);
  EXPECT_THROW(dy::capacity_limit(-1.0), dy::error);
}

}  // namespace test_capacity_limit
