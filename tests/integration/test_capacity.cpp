// Consumed capacity reported by DynamoDB Local, summed over a call's requests: a query's pages, a batch's chunks,
// a transaction's actions, per table and per index.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include <dynantic/dynantic.hpp>

#include "test_env.hpp"

namespace test_capacity {
namespace dy = dynantic;
using namespace dynantic::testing;

struct Sample {
  std::string station;
  std::int64_t seq = 0;
  std::string kind;
  double value = 0;
};
DYNANTIC_MODEL(Sample, "samples", key(station), sort_key(seq), field(kind), field(value))

struct Reading {
  std::string station;
  std::int64_t seq = 0;
  std::int64_t level = 0;
};
DYNANTIC_MODEL(Reading, "readings", key(station), sort_key(seq), field(level, lsi_sort_key("by_level")))

dy::client metered_client(dy::capacity_detail d) {
  auto o = test_options();
  o.consumed_capacity = d;
  return dy::client(o);
}

TEST(capacity, every_kind_of_call_reports_what_it_consumed) {
  DYNANTIC_REQUIRE_SERVER();
  auto c = metered_client(dy::capacity_detail::total);
  dy::table<Sample> t(c, unique_name("capacity"));
  t.create_table();
  std::vector<Sample> items;
  for (int i = 0; i < 60; ++i) items.push_back({"s1", i, "temp", i * 0.5});
  {
    dy::capacity_meter m;
    t.batch_save(items);  // three BatchWriteItem chunks of 25, 25, 10 items under 1 KB: one WCU each
    auto used = m.totals();
    EXPECT_EQ(used.answers, 3u);
    EXPECT_DOUBLE_EQ(used.total.total, 60.0);
    EXPECT_DOUBLE_EQ(used.tables[t.name()].total, 60.0);
  }
  {
    dy::capacity_meter m;
    ASSERT_TRUE(t.get("s1", 7, {.consistent_read = true}));  // a strongly consistent read of < 4 KB: one RCU
    EXPECT_DOUBLE_EQ(m.totals().total.total, 1.0);
  }
  {
    dy::capacity_meter m;
    int n = 0;
    for (const auto& s : t.query("s1").page_size(10)) n += s.seq >= 0;
    EXPECT_EQ(n, 60);
    // seven pages: the sixth stops at the limit and so carries a LastEvaluatedKey, the seventh is empty
    EXPECT_EQ(m.totals().answers, 7u);
    EXPECT_GT(m.totals().total.total, 0.0);
  }
  {
    dy::capacity_meter m;
    dy::transact_write(c, t.tx_put(Sample{"s2", 1, "wind", 3.0}), t.tx_put(Sample{"s2", 2, "wind", 4.0}));
    EXPECT_EQ(m.totals().answers, 1u);
    EXPECT_GT(m.totals().total.total, 0.0);  // transactional writes cost two WCU per item on AWS
  }
  EXPECT_EQ(c.consumed_capacity().answers, 3u + 1u + 7u + 1u);  // the client's total: every answer above
  t.delete_table();
}

// Work the library runs on its own threads counts in the meters where it was started: a parallel scan's workers
// in the scanning thread's meters, a writer's background flushes in the meters of the thread that made it. Each
// meter sees exactly what the client's own sum grew by.
TEST(capacity, work_on_the_librarys_threads_counts_in_the_meters_where_it_started) {
  DYNANTIC_REQUIRE_SERVER();
  auto c = metered_client(dy::capacity_detail::total);
  dy::table<Sample> t(c, unique_name("carried"));
  t.create_table();
  std::vector<Sample> items;
  for (int i = 0; i < 60; ++i) items.push_back({"s" + std::to_string(i % 6), i, "temp", i * 0.5});
  t.batch_save(items);
  {
    auto before = c.consumed_capacity();
    dy::capacity_meter outer;
    dy::capacity_meter m;
    std::atomic<std::size_t> seen{0};
    t.scan().page_size(10).parallel(4, [&](std::vector<Sample>&& page) { seen += page.size(); });
    EXPECT_EQ(seen, 60u);
    auto grew = c.consumed_capacity().answers - before.answers;
    EXPECT_GE(grew, 4u);  // one page at least per segment, each on a worker thread
    EXPECT_EQ(m.totals().answers, grew);
    EXPECT_EQ(outer.totals().answers, grew);
    EXPECT_DOUBLE_EQ(m.totals().total.total, c.consumed_capacity().total.total - before.total.total);
    EXPECT_GT(m.totals().total.total, 0.0);
  }
  {
    auto before = c.consumed_capacity();
    dy::capacity_meter m;
    {
      auto w = t.batch_writer();  // background flushes (the default): sent by the writer's own thread
      for (int i = 0; i < 30; ++i) w.save(Sample{"w", i, "wind", 1.0});
    }  // the destructor flushes the rest
    EXPECT_EQ(m.totals().answers, c.consumed_capacity().answers - before.answers);
    EXPECT_DOUBLE_EQ(m.totals().total.total, 30.0);  // 30 puts of items under 1 KB: one WCU each
  }
  {
    dy::capacity_meter m;
    std::thread([&] { t.batch_save(std::vector<Sample>{{"x", 1, "temp", 2.0}}); }).join();
    EXPECT_EQ(m.totals().answers, 0u);  // a thread the user starts is not carried: its calls are its own
  }
  t.delete_table();
}

}  // namespace test_capacity

namespace test_capacity_limit_live {
namespace dy = dynantic;
using namespace dynantic::testing;
using test_capacity::Sample;

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

// A capacity_limit against DynamoDB Local: a batch and the four segments of a parallel scan keep to their budgets
// as the answers report them. Only lower bounds on time are checked (a loaded machine is only slower).
TEST(capacity, a_limit_holds_a_batch_and_a_parallel_scan_to_their_budgets) {
  DYNANTIC_REQUIRE_SERVER();
  auto c = test_client();  // no consumed_capacity option: a limit asks for what each request cost on its own
  dy::table<Sample> t(c, unique_name("capacity_limit"));
  t.create_table();
  std::vector<Sample> items;
  for (int i = 0; i < 200; ++i) items.push_back({"s" + std::to_string(i % 4), i, "temp", i * 0.5});

  auto writes = std::make_shared<dy::capacity_limit>(100.0);  // 100 WCU per second, a burst of 100
  dy::batch_options o;
  o.capacity_limit = writes;
  auto start = std::chrono::steady_clock::now();
  t.batch_save(items, o);
  double took = seconds_since(start);
  EXPECT_EQ(writes->reported(), 8u);  // eight requests of 25 puts, each answer reports what it consumed
  EXPECT_EQ(writes->estimated(), 0u);
  EXPECT_DOUBLE_EQ(writes->consumed(), 200.0);  // items under 1 KB: one unit each
  EXPECT_GE(took, (200.0 - 100.0 - 25.0) / 100.0);

  auto reads = std::make_shared<dy::capacity_limit>(4.0, 1.0);  // 4 RCU per second, a burst of 1
  std::atomic<std::size_t> seen{0};
  start = std::chrono::steady_clock::now();
  t.scan().page_size(20).capacity_limit(reads).parallel(4, [&](std::vector<Sample>&& page) { seen += page.size(); });
  took = seconds_since(start);
  EXPECT_EQ(seen.load(), 200u);
  EXPECT_GE(reads->reported(), 10u);  // at least ten pages of 20 items, each reported
  EXPECT_EQ(reads->estimated(), 0u);
  // pages of 20 small items cost 0.5 RCU each (eventually consistent, under 4 KB)
  EXPECT_GE(took, (reads->consumed() - 1.0 - 0.5) / 4.0);
  t.delete_table();
}

}  // namespace test_capacity_limit_live

namespace test_capacity {
// ItemCollectionMetrics: every write form is sent with ReturnItemCollectionMetrics to a table with a local
// secondary index and accepted. AWS answers with an estimate per written collection; DynamoDB Local takes the
// parameter but reports none (the golden answers of tests/unit/test_retry.cpp cover the parsing): what the client
// reads is checked against whichever the server did.
TEST(capacity, item_collection_metrics_are_asked_on_every_write_to_a_table_with_a_local_index) {
  DYNANTIC_REQUIRE_SERVER();
  auto o = test_options();
  o.item_collection_metrics = true;
  o.consumed_capacity = dy::capacity_detail::indexes;
  dy::client c(o);
  dy::table<Reading> t(c, unique_name("collections"));
  t.create_table();
  dy::capacity_meter m;
  t.save(Reading{"s1", 1, 10});
  t.update("s1", 1).set(&Reading::level, 11).execute();
  t.batch_save(std::vector<Reading>{{"s1", 2, 20}, {"s2", 1, 5}});
  dy::transact_write(c, t.tx_put(Reading{"s3", 1, 1}));
  t.delete_item("s2", 1);
  auto put = dy::ops::put_item(c, {.table_name = t.name(), .item = {{"station", "s4"}, {"seq", 1}, {"level", 2}}});
  if (put.item_collection_metrics) {  // a server that estimates (AWS): the put's own collection, a sane range
    EXPECT_EQ(put.item_collection_metrics->key.at("station").as_string(), "s4");
    EXPECT_LE(put.item_collection_metrics->low_gb, put.item_collection_metrics->high_gb);
    EXPECT_FALSE(m.item_collections().empty());
    for (const auto& size : m.item_collections()) EXPECT_EQ(size.table, t.name());
  } else {  // DynamoDB Local: nothing reported, nothing made up
    EXPECT_TRUE(m.item_collections().empty());
  }
  // the writes happened, and the capacity of the local index was counted
  ASSERT_TRUE(t.get("s1", 1));
  EXPECT_EQ(t.get("s1", 1)->level, 11);
  EXPECT_TRUE(t.get("s3", 1));
  EXPECT_FALSE(t.get("s2", 1));
  EXPECT_GT(m.totals().indexes[t.name() + "/by_level"].total, 0.0);
  t.delete_table();
}
}  // namespace test_capacity
