// The async API against DynamoDB Local: a thousand gets in flight from one thread, every kind of call as a task,
// the typed errors, cancellation before sending and on the wire, an application's own poll() loop, and calls
// posted from other threads while one thread drives.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <stop_token>
#include <thread>

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <dynantic/dynantic.hpp>

#include "fault_proxy.hpp"
#include "test_env.hpp"

namespace test_async {
namespace dy = dynantic;
using namespace dynantic::testing;

struct Reading {
  std::string sensor;
  std::int64_t seq = 0;
  double value = 0;
};
DYNANTIC_MODEL(Reading, "async_readings", key(sensor), sort_key(seq), field(value))

struct Account {
  std::string id;
  std::int64_t balance = 0;
  std::int64_t version = 0;
};
DYNANTIC_MODEL(Account, "async_accounts", key(id), field(balance), version(version))

struct dropping_table {
  dy::table<Reading> t;
  ~dropping_table() {
    try {
      t.delete_table();
    } catch (...) {
    }
  }
};

std::string what(std::exception_ptr e) {
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& x) {
    return x.what();
  }
}

// Counts the calls that reached the telemetry sink, and how many of them were on the wire at once.
struct counting_sink : dy::telemetry_sink {
  std::atomic<int> calls{0};
  void call_finished(const dy::call_telemetry&) noexcept override { ++calls; }
};

TEST(async, a_thousand_gets_in_flight_from_one_thread) {
  DYNANTIC_REQUIRE_SERVER();
  auto o = test_options();
  o.async_max_in_flight = 1000;
  // DynamoDB Local on a loaded machine resets some of a thousand connections opened at once: the retries (not
  // under test here) get room.
  o.retry.max_attempts = 8;
  o.retry.quota_capacity = 100'000;
  dy::client c(o);
  dropping_table d{dy::table<Reading>(c, unique_name("async_gets"))};
  auto& t = d.t;
  t.create_table();
  std::vector<Reading> items;
  for (int i = 0; i < 1000; ++i) items.push_back({"s" + std::to_string(i % 10), i, i * 0.25});
  t.batch_save(items);

  std::vector<dy::task<std::optional<Reading>>> gets;
  for (int i = 0; i < 1000; ++i) gets.push_back(t.async_get("s" + std::to_string(i % 10), i));
  gets.push_back(t.async_get("nobody", 1));  // one key without an item
  std::optional<std::vector<std::optional<Reading>>> results;
  dy::spawn(
      dy::when_all(std::move(gets)), [&](auto r) { results = std::move(r); },
      [](std::exception_ptr) { ADD_FAILURE() << "a get failed"; });
  // Drive by hand to see how many requests were on the wire at once.
  std::size_t peak = 0;
  while (c.async_pending() > 0) {
    c.run_for(std::chrono::milliseconds(1));
    peak = std::max(peak, c.async_in_flight());
  }
  ASSERT_TRUE(results);
  ASSERT_EQ(results->size(), 1001u);
  for (int i = 0; i < 1000; ++i) {
    ASSERT_TRUE((*results)[i]) << i;
    EXPECT_EQ((*results)[i]->seq, i);
    EXPECT_EQ((*results)[i]->value, i * 0.25);
  }
  EXPECT_FALSE((*results)[1000]);
  EXPECT_GE(peak, 900u) << "the requests were not on the wire together";
}

TEST(async, every_kind_of_call_as_a_task) {
  DYNANTIC_REQUIRE_SERVER();
  auto c = test_client();
  dropping_table d{dy::table<Reading>(c, unique_name("async_calls"))};
  auto& t = d.t;
  t.create_table();
  auto work = [&]() -> dy::task<void> {
    std::vector<Reading> items;
    for (int i = 0; i < 60; ++i) items.push_back({"a", i, i * 1.0});
    auto saved = co_await t.async_batch_save(items);  // three BatchWriteItem requests
    EXPECT_EQ(saved.size(), 60u);
    // (named, not braced inside the co_await: GCC 12 destroys an aggregate temporary there twice)
    Reading b1{"b", 1, 2.5}, b2{"b", 2, 3.5};
    auto one = co_await t.async_save(b1);
    EXPECT_EQ(one.value, 2.5);
    auto created = co_await t.async_create(b2);
    EXPECT_EQ(created.seq, 2);
    auto got = co_await t.async_get("b", 2);
    EXPECT_TRUE(got && got->value == 3.5);

    // query pages with a cursor, then everything at once
    auto first = co_await t.query("a").limit(25).async_page();
    EXPECT_EQ(first.items.size(), 25u);
    EXPECT_TRUE(first.has_more());
    auto second = co_await t.query("a").limit(25).async_page(first.cursor);
    EXPECT_EQ(second.items.size(), 25u);
    EXPECT_EQ(second.items.empty() ? -1 : second.items.front().seq, 25);
    auto all = co_await t.query("a").page_size(7).async_all();
    EXPECT_EQ(all.size(), 60u);
    auto scanned = co_await t.scan().async_all();
    EXPECT_EQ(scanned.size(), 62u);

    auto updated = co_await t.update("b", 1)
                       .add(&Reading::value, 1.0)
                       .return_values(dy::ops::return_values::all_new)
                       .async_execute();
    EXPECT_TRUE(updated.model() && updated.model()->value == 3.5);

    std::vector<dy::table<Reading>::key_type> keys;
    for (int i = 0; i < 150; ++i) keys.emplace_back("a", i % 75);  // 60 exist; each asked twice (some three times)
    auto batch = co_await t.async_batch_get(keys);
    int found = 0;
    for (const auto& r : batch) found += r.has_value();
    EXPECT_EQ(found, 120);

    co_await t.async_delete_item("b", 2);
    EXPECT_FALSE(co_await t.async_get("b", 2));
  };
  dy::sync_wait(work());
  EXPECT_EQ(c.async_pending(), 0u);
}

TEST(async, errors_are_the_typed_exceptions_and_checks_send_nothing) {
  DYNANTIC_REQUIRE_SERVER();
  auto o = test_options();
  auto sink = std::make_shared<counting_sink>();
  o.telemetry = sink;
  dy::client c(o);
  auto accounts_name = unique_name("async_accounts");
  dy::table<Account> accounts(c, accounts_name);
  accounts.create_table();
  struct drop {
    dy::table<Account>& t;
    ~drop() {
      try {
        t.delete_table();
      } catch (...) {
      }
    }
  } dropper{accounts};

  auto saved = dy::sync_wait(accounts.async_save(Account{"acc-1", 10, 0}));
  EXPECT_EQ(saved.version, 1);
  // insert of an existing key: the typed conflict, with the stored item as the model
  try {
    dy::sync_wait(accounts.async_create(Account{"acc-1", 99, 0}));
    ADD_FAILURE() << "no conflict";
  } catch (const dy::conditional_check_failed_for<Account>& e) {
    ASSERT_TRUE(e.old_model());
    EXPECT_EQ(e.old_model()->balance, 10);
  }
  // a stale version
  Account stale = saved;
  stale.version = 0;
  EXPECT_THROW(dy::sync_wait(accounts.async_save(stale)), dy::conditional_check_failed_for<Account>);
  // update of a key without an item
  EXPECT_THROW(dy::sync_wait(accounts.update("acc-404").add(&Account::balance, 1).async_execute()), dy::item_not_found);
  // a table that does not exist: named in the error
  dy::table<Account> missing(c, unique_name("async_missing"));
  try {
    dy::sync_wait(missing.async_get("x"));
    ADD_FAILURE() << "no error";
  } catch (const dy::table_not_found& e) {
    EXPECT_EQ(e.table(), missing.name());
  }
  // checks fail inside the task, before anything is sent
  int before = sink->calls.load();
  auto bad = accounts.async_save(Account{"", 1, 0});  // an empty key
  EXPECT_EQ(sink->calls.load(), before);              // a task does nothing until it runs
  try {
    dy::sync_wait(std::move(bad));
    ADD_FAILURE() << "no validation error";
  } catch (const dy::validation_error& e) {
    EXPECT_EQ(e.issues().at(0).path, "id");
  }
  EXPECT_EQ(sink->calls.load(), before);
  // when_all: every task runs to its end, the first failure (in order) is what it throws
  std::vector<dy::task<std::optional<Account>>> gets;
  gets.push_back(accounts.async_get("acc-1"));
  gets.push_back(missing.async_get("x"));
  gets.push_back(accounts.async_get("acc-2"));
  EXPECT_THROW(dy::sync_wait(dy::when_all(std::move(gets))), dy::table_not_found);
  EXPECT_EQ(c.async_pending(), 0u);
}

// A server that accepts connections (the kernel does) and never answers.
struct silent_server {
  int fd = -1;
  int port = 0;
  silent_server() {
    fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    ::listen(fd, 16);
    socklen_t len = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    port = ntohs(a.sin_port);
  }
  ~silent_server() { ::close(fd); }
};

TEST(async, a_stop_token_cancels_before_sending_and_on_the_wire) {
  silent_server server;
  auto o = test_options("http://127.0.0.1:" + std::to_string(server.port));
  o.retry.max_attempts = 1;
  dy::client c(o);
  dy::table<Reading> t(c, "async_silent");

  // stopped before it runs: nothing is sent
  {
    std::stop_source stop;
    stop.request_stop();
    try {
      dy::sync_wait(t.async_get("s", 1), stop.get_token());
      ADD_FAILURE() << "not cancelled";
    } catch (const dy::cancelled& e) {
      EXPECT_FALSE(e.on_the_wire());
    }
  }
  // stopped while the request waits for its answer
  {
    std::stop_source stop;
    std::exception_ptr error;
    bool ended = false;
    dy::spawn(
        t.async_save(Reading{"s", 1, 1.0}), [&](Reading) { ended = true; },
        [&](std::exception_ptr e) {
          error = e;
          ended = true;
        },
        stop.get_token());
    c.run_for(std::chrono::milliseconds(300));  // connected and sent; no answer comes
    ASSERT_FALSE(ended);
    EXPECT_EQ(c.async_in_flight(), 1u);
    stop.request_stop();
    c.run_for(std::chrono::milliseconds(1000));
    ASSERT_TRUE(ended);
    ASSERT_TRUE(error);
    try {
      std::rethrow_exception(error);
    } catch (const dy::cancelled& e) {
      EXPECT_TRUE(e.on_the_wire());
      EXPECT_NE(std::string(e.what()).find("PutItem"), std::string::npos) << e.what();
    }
    EXPECT_EQ(c.async_pending(), 0u);
    EXPECT_EQ(c.async_in_flight(), 0u);
  }
  // a stop from another thread while this one waits in sync_wait
  {
    std::stop_source stop;
    std::thread stopper([&] {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      stop.request_stop();
    });
    EXPECT_THROW(dy::sync_wait(t.async_get("s", 1), stop.get_token()), dy::cancelled);
    stopper.join();
  }
}

TEST(async, an_applications_poll_loop_drives_the_engine) {
  DYNANTIC_REQUIRE_SERVER();
  auto c = test_client();
  dropping_table d{dy::table<Reading>(c, unique_name("async_loop"))};
  auto& t = d.t;
  t.create_table();
  int done = 0;
  for (int i = 0; i < 40; ++i) {
    dy::spawn(
        t.async_save(Reading{"loop", i, i * 2.0}), [&](Reading) { ++done; },
        [](std::exception_ptr) { ADD_FAILURE() << "a save failed"; });
  }
  // The loop an application owns: poll() on the client's descriptor, bounded by its timeout.
  int wakeups = 0;
  while (c.async_pending() > 0) {
    pollfd p{c.async_fd(), POLLIN, 0};
    auto timeout = c.async_timeout();
    int ms = timeout ? static_cast<int>(timeout->count()) : 1000;
    ::poll(&p, 1, ms);
    ++wakeups;
    c.poll();
  }
  EXPECT_EQ(done, 40);
  EXPECT_GE(wakeups, 1);
  EXPECT_EQ(t.query("loop").count(), 40);
}

TEST(async, calls_posted_from_other_threads_while_one_thread_drives) {
  DYNANTIC_REQUIRE_SERVER();
  auto o = test_options();
  o.async_max_in_flight = 32;  // (the posting threads are under test, not the number of connections)
  dy::client c(o);
  dropping_table d{dy::table<Reading>(c, unique_name("async_threads"))};
  auto& t = d.t;
  t.create_table();
  std::atomic<int> ended{0}, failed{0};
  std::string first_error;  // written once, read after the threads are joined
  std::atomic<bool> posting{true};
  std::thread driver([&] {
    while (posting || c.async_pending() > 0) c.run_for(std::chrono::milliseconds(20));
  });
  std::vector<std::thread> posters;
  for (int p = 0; p < 4; ++p) {
    posters.emplace_back([&, p] {
      for (int i = 0; i < 50; ++i) {
        dy::spawn(
            t.async_save(Reading{"thread" + std::to_string(p), i, 1.0}), [&](Reading) { ++ended; },
            [&](std::exception_ptr e) {
              if (++failed == 1) first_error = what(e);
            });
      }
    });
  }
  for (auto& th : posters) th.join();
  posting = false;
  driver.join();
  EXPECT_EQ(ended.load(), 200);
  EXPECT_EQ(failed.load(), 0) << first_error;
  for (int p = 0; p < 4; ++p) EXPECT_EQ(t.query("thread" + std::to_string(p)).count(), 50);
}

// sync_wait on one thread while another drives the same client (client::run_for in a loop): whichever thread
// ends the task, the waiting one sees its result (TSan checks the hand-over, scripts/test).
TEST(async, sync_wait_while_another_thread_drives_the_client) {
  DYNANTIC_REQUIRE_SERVER();
  dy::client c(test_options());
  dropping_table d{dy::table<Reading>(c, unique_name("async_shared_driver"))};
  auto& t = d.t;
  t.create_table();
  std::atomic<bool> driving{true};
  std::thread driver([&] {
    while (driving) c.run_for(std::chrono::milliseconds(5));
  });
  for (int i = 0; i < 40; ++i) {
    Reading saved = dy::sync_wait(t.async_save(Reading{"shared", i, i * 1.5}));
    EXPECT_EQ(saved.seq, i);
    auto got = dy::sync_wait(t.async_get("shared", i));
    ASSERT_TRUE(got);
    EXPECT_DOUBLE_EQ(got->value, i * 1.5);
  }
  driving = false;
  driver.join();
  EXPECT_EQ(t.query("shared").count(), 40);
}

// The low-level calls' async forms, each against the server, and client::run() driving a spawned task.
TEST(async, every_low_level_call_has_an_async_form) {
  DYNANTIC_REQUIRE_SERVER();
  auto c = test_client();
  scratch_table t(c, "lowasync");
  namespace ops = dy::ops;
  ops::batch_write_item_request w;
  for (const char* sk : {"1", "2", "3"}) {
    w.request_items[t.name()].push_back(ops::write_request::put({{"pk", "a"}, {"sk", sk}, {"n", 1}}));
  }
  EXPECT_TRUE(dy::sync_wait(ops::async_batch_write_item(c, w)).unprocessed_items.empty());

  ops::query_request q;
  q.table_name = t.name();
  q.key_condition_expression = "pk = :p";
  q.expression_attribute_values = {{":p", "a"}};
  q.consistent_read = true;
  EXPECT_EQ(dy::sync_wait(ops::async_query(c, q)).items.size(), 3u);
  ops::scan_request sc;
  sc.table_name = t.name();
  sc.consistent_read = true;
  EXPECT_EQ(dy::sync_wait(ops::async_scan(c, sc)).count, 3);

  ops::batch_get_item_request g;
  g.request_items[t.name()].keys = {{{"pk", "a"}, {"sk", "1"}}, {{"pk", "a"}, {"sk", "3"}}, {{"pk", "a"}, {"sk", "9"}}};
  g.request_items[t.name()].consistent_read = true;
  auto got = dy::sync_wait(ops::async_batch_get_item(c, g));
  EXPECT_EQ(got.responses[t.name()].size(), 2u);

  ops::transact_write_items_request tw;
  tw.items.push_back(
      {.type = ops::transact_write::kind::put, .table_name = t.name(), .data = {{"pk", "z"}, {"sk", "1"}}});
  (void)dy::sync_wait(ops::async_transact_write_items(c, tw));
  ops::transact_get_items_request tg;
  tg.items.push_back({.table_name = t.name(), .key = {{"pk", "z"}, {"sk", "1"}}});
  tg.items.push_back({.table_name = t.name(), .key = {{"pk", "y"}, {"sk", "1"}}});
  auto both = dy::sync_wait(ops::async_transact_get_items(c, tg));
  ASSERT_EQ(both.items.size(), 2u);
  EXPECT_TRUE(both.items[0]);
  EXPECT_FALSE(both.items[1]);

  // client::run() drives the engine until nothing is pending: the callback has run when it returns
  std::size_t seen = 0;
  bool failed = false;
  dy::spawn(
      ops::async_query(c, q), [&](ops::page_result r) { seen = r.items.size(); },
      [&](std::exception_ptr) { failed = true; });
  EXPECT_GE(c.run(), 1u);
  EXPECT_EQ(seen, 3u);
  EXPECT_FALSE(failed);
  EXPECT_EQ(c.async_pending(), 0u);
}

// An async batch through partial answers: the engine's backoff waits on the client's async engine (no thread
// sleeps) and every item lands; stopped while it retries, nothing more is sent and what was not applied is
// reported, with dynantic::cancelled as the cause.
TEST(async, a_batch_through_partial_answers_backs_off_on_the_engine_and_can_be_stopped) {
  DYNANTIC_REQUIRE_SERVER();
  auto direct = test_client();
  dropping_table d{dy::table<Reading>(direct, unique_name("asyncpartial"))};
  d.t.create_table();
  fault_proxy_options po;
  split_endpoint(test_endpoint(), po.upstream_host, po.upstream_port);
  po.unprocessed_rate = 0.4;
  po.seed = 11;
  fault_proxy proxy(po);
  dy::table<Reading> via(dy::client(test_options(proxy.endpoint())), d.t.name());
  std::vector<Reading> rs;
  for (int i = 0; i < 1000; ++i) rs.push_back({"s" + std::to_string(i % 10), i, i * 0.5});
  dy::batch_options bo;
  bo.base_delay = std::chrono::milliseconds(2);
  bo.max_backoff = std::chrono::milliseconds(20);
  bo.max_attempts = 40;
  auto saved = dy::sync_wait(via.async_batch_save(rs, bo));
  EXPECT_EQ(saved.size(), 1000u);
  EXPECT_GT(proxy.withheld(), 100u);  // retried rounds happened
  EXPECT_EQ(d.t.scan().count(), 1000);

  fault_proxy_options never = po;
  never.unprocessed_rate = 1.0;  // nothing is ever applied: the batch keeps retrying until stopped
  fault_proxy stuck(never);
  dy::table<Reading> via_stuck(dy::client(test_options(stuck.endpoint())), d.t.name());
  std::vector<Reading> more;
  for (int i = 0; i < 100; ++i) more.push_back({"late", i, 0});
  std::stop_source stop;
  std::size_t sent_at_stop = 0;  // how many rounds that takes depends on which retries are due together
  bo.progress = [&](const dy::batch_progress& p) {
    if (p.requests_sent >= 8 && !stop.stop_requested()) {
      sent_at_stop = p.requests_sent;
      stop.request_stop();
    }
  };
  try {
    (void)dy::sync_wait(via_stuck.async_batch_save(more, bo), stop.get_token());
    FAIL() << "expected batch_write_incomplete";
  } catch (const dy::batch_write_incomplete& e) {
    EXPECT_EQ(e.applied(), 0u);
    EXPECT_EQ(e.unapplied().size(), 100u);
    EXPECT_THROW(std::rethrow_exception(e.cause()), dy::cancelled);
  }
  EXPECT_GE(sent_at_stop, 8u);
  EXPECT_EQ(stuck.requests(), sent_at_stop);  // nothing after the stop
}

}  // namespace test_async
