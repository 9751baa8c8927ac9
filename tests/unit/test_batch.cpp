// The batch engine against a scripted DynamoDB that applies only part of each request, throttles and fails:
// every write lands exactly once, or is reported as not applied. No sockets, no sleeping beyond backoff.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <thread>

#include <condition_variable>
#include <mutex>

#include <functional>
#include <map>
#include <set>
#include <random>

#include <dynantic/dynantic.hpp>

#include "scripted_transport.hpp"
#include "value/json_reader.hpp"
#include "value/json_writer.hpp"

namespace test_batch {
namespace dy = dynantic;
using namespace dynantic::testing;

struct Thing {
  std::string id;
  int n = 0;
};
DYNANTIC_MODEL(Thing, "things", key(id), field(n))

// An item with a text member (its "id" is the key, as Thing's, for the scripted server).
struct Doc {
  std::string id;
  std::string text;
};
DYNANTIC_MODEL(Doc, "docs", key(id), field(text))

// A fake DynamoDB: applies each write with probability `apply`, answers the rest as UnprocessedItems.
struct fake_dynamodb {
  std::map<std::string, int> store;  // id -> n
  std::map<std::string, int> writes_per_id;
  double apply = 0.7;
  double throttle = 0.0;
  bool never_apply = false;
  std::function<bool(const std::string& id)> hold{};  // writes of ids it holds are left unprocessed
  std::map<std::string, std::vector<int>> history;    // id -> n of each put applied, in order (-1: delete)
  std::size_t requests = 0, largest_request = 0;
  std::mt19937 gen{42};

  dy::detail::http_response answer(const recorded_request& r) {
    ++requests;
    std::uniform_real_distribution<double> u(0, 1);
    if (u(gen) < throttle) return aws_error(400, "ProvisionedThroughputExceededException");
    auto doc = dy::detail::parse_json(r.body);
    std::string out;
    dy::detail::json_writer w(out);
    w.begin_object();
    std::string target = r.header("X-Amz-Target");
    if (target.ends_with("BatchWriteItem")) {
      w.key("UnprocessedItems");
      w.begin_object();
      for (auto table : doc["RequestItems"].get_object()) {
        std::vector<std::string> left;
        std::size_t count = 0;
        for (auto req : table.value.get_array()) {
          ++count;
          simdjson::dom::element put;
          bool is_put = req["PutRequest"].get(put) == simdjson::SUCCESS;
          auto data = dy::detail::read_item(is_put ? put["Item"].value() : req["DeleteRequest"]["Key"].value());
          std::string id = data.at("id").as_string();
          if (never_apply || u(gen) >= apply || (hold && hold(id))) {
            left.push_back(std::string(simdjson::to_string(req)));
            continue;
          }
          ++writes_per_id[id];
          if (is_put) store[id] = data.count("n") ? std::stoi(data.at("n").as_number_text()) : -1;
          else store.erase(id);
          history[id].push_back(is_put ? store[id] : -1);
        }
        largest_request = std::max(largest_request, count);
        if (!left.empty()) {
          w.key(table.key);
          w.begin_array();
          for (const auto& l : left) w.raw(l);
          w.end_array();
        }
      }
      w.end_object();
    } else {  // BatchGetItem
      w.key("Responses");
      w.begin_object();
      std::vector<std::pair<std::string, std::string>> unprocessed;
      for (auto table : doc["RequestItems"].get_object()) {
        w.key(table.key);
        w.begin_array();
        std::size_t count = 0;
        for (auto key : table.value["Keys"].get_array()) {
          ++count;
          auto k = dy::detail::read_item(key);
          if (never_apply || u(gen) >= apply) {
            unprocessed.emplace_back(std::string(table.key), std::string(simdjson::to_string(key)));
            continue;
          }
          auto f = store.find(k.at("id").as_string());
          if (f != store.end()) {
            w.raw(R"({"id":{"S":")" + f->first + R"("},"n":{"N":")" + std::to_string(f->second) + R"("}})");
          }
        }
        largest_request = std::max(largest_request, count);
        w.end_array();
      }
      w.end_object();
      if (!unprocessed.empty()) {
        w.key("UnprocessedKeys");
        w.begin_object();
        w.key(unprocessed.front().first);
        w.begin_object();
        w.key("Keys");
        w.begin_array();
        for (const auto& [t, k] : unprocessed) w.raw(k);
        w.end_array();
        w.end_object();
        w.end_object();
      }
    }
    w.end_object();
    return ok(out);
  }
};

dy::batch_options quick() {
  dy::batch_options o;
  o.base_delay = std::chrono::milliseconds(1);
  o.max_backoff = std::chrono::milliseconds(5);
  o.max_attempts = 50;
  return o;
}

std::vector<Thing> things(int n) {
  std::vector<Thing> v;
  for (int i = 0; i < n; ++i) v.push_back({"t" + std::to_string(i), i});
  return v;
}

// What comes back unprocessed from several requests goes out again in full requests: 4 requests of 25, each
// answered with its odd-numbered items unprocessed (12 or 13), are retried as 2 requests of 25, not 4 short ones.
TEST(batch, unprocessed_items_of_several_requests_go_out_again_in_full_requests) {
  fake_dynamodb db;
  db.apply = 1.0;
  std::set<std::string> refused;
  db.hold = [&](const std::string& id) { return std::stoi(id.substr(1)) % 2 == 1 && refused.insert(id).second; };
  scripted_transport* t = nullptr;
  auto c = scripted_client([&](const recorded_request& r, std::size_t) { return db.answer(r); }, t);
  dy::table<Thing> table(c);
  auto o = quick();
  o.base_delay = std::chrono::milliseconds(0);  // every retry due at once
  table.batch_save(things(100), o);
  EXPECT_EQ(db.store.size(), 100u);
  EXPECT_EQ(refused.size(), 50u);
  EXPECT_EQ(db.requests, 6u);
  EXPECT_EQ(db.largest_request, 25u);
}

TEST(batch, partial_answers_and_throttling_lose_nothing) {
  fake_dynamodb db;
  db.apply = 0.7;
  db.throttle = 0.05;
  scripted_transport* t = nullptr;
  auto c = scripted_client([&](const recorded_request& r, std::size_t) { return db.answer(r); }, t);
  dy::table<Thing> table(c);
  table.batch_save(things(2000), quick());
  ASSERT_EQ(db.store.size(), 2000u);
  for (const auto& [id, writes] : db.writes_per_id) EXPECT_EQ(writes, 1) << id;  // exactly once each
  EXPECT_LE(db.largest_request, 25u);
  EXPECT_GT(db.requests, 80u);  // 2000 / 25 = 80 first tries, plus retries

  std::vector<std::string> keys;
  for (int i = 0; i < 2500; ++i) keys.push_back("t" + std::to_string(i % 2100));  // duplicates, missing keys
  auto got = table.batch_get(keys, quick());
  ASSERT_EQ(got.size(), keys.size());
  for (std::size_t i = 0; i < keys.size(); ++i) {
    int n = static_cast<int>(i % 2100);
    if (n < 2000) {
      ASSERT_TRUE(got[i]) << i;
      EXPECT_EQ(got[i]->n, n);
    } else {
      EXPECT_FALSE(got[i]) << i;
    }
  }
  EXPECT_LE(db.largest_request, 100u);
}

TEST(batch, at_most_max_in_flight_requests_are_on_the_wire_and_answers_may_come_in_any_order) {
  fake_dynamodb db;
  db.apply = 1.0;
  scripted_transport* t = nullptr;
  auto c = scripted_client([&](const recorded_request& r, std::size_t) { return db.answer(r); }, t);
  t->answer_newest_first = true;  // the last request sent is answered first
  dy::table<Thing> table(c);
  auto o = quick();
  o.max_in_flight = 3;
  table.batch_save(things(250), o);  // 10 requests of 25
  EXPECT_EQ(t->requests.size(), 10u);
  EXPECT_EQ(t->peak_in_flight, 3u);
  ASSERT_EQ(db.store.size(), 250u);
  for (const auto& [id, n] : db.store) EXPECT_EQ("t" + std::to_string(n), id);

  t->peak_in_flight = 0;
  o.max_in_flight = 1;
  table.batch_save(things(100), o);
  EXPECT_EQ(t->peak_in_flight, 1u);

  t->peak_in_flight = 0;
  o.max_in_flight = 4;
  std::vector<std::string> keys;
  for (int i = 0; i < 700; ++i) keys.push_back("t" + std::to_string(i % 250));  // 7 requests' worth, repeated
  auto got = table.batch_get(keys, o);
  EXPECT_EQ(t->peak_in_flight, 3u);  // 250 distinct keys: 3 requests of at most 100
  ASSERT_EQ(got.size(), keys.size());
  for (std::size_t i = 0; i < keys.size(); ++i) {
    ASSERT_TRUE(got[i]) << i;
    EXPECT_EQ(got[i]->n, static_cast<int>(i % 250));  // each answer matched to its key, whatever the order
  }
}

// BatchWriteItem takes at most 16 MB: items whose JSON is large (a control character is escaped as six bytes)
// are split into more requests than 25 items each would need.
TEST(batch, requests_are_split_to_stay_within_16_mb) {
  fake_dynamodb db;
  db.apply = 1.0;
  scripted_transport* t = nullptr;
  auto c = scripted_client([&](const recorded_request& r, std::size_t) { return db.answer(r); }, t);
  dy::table<Thing> table(c, "things");
  std::vector<Thing> small = things(25);
  table.batch_save(small, quick());
  ASSERT_EQ(t->requests.size(), 1u);  // 25 small items: one request

  t->requests.clear();
  dy::table<Doc> docs(c, "docs");
  std::vector<Doc> wide;
  for (int i = 0; i < 25; ++i) wide.push_back({"w" + std::to_string(i), std::string(300'000, '\x01')});
  docs.batch_save(wide, quick());  // each item ~300 KB, ~1.8 MB of JSON: 9 per request
  ASSERT_EQ(t->requests.size(), 3u);
  std::size_t puts = 0;
  for (const auto& r : t->requests) {
    EXPECT_LE(r.body.size(), 16u << 20);
    for (auto p = r.body.find("PutRequest"); p != std::string::npos; p = r.body.find("PutRequest", p + 1)) ++puts;
  }
  EXPECT_EQ(puts, 25u);
  EXPECT_EQ(db.store.size(), 50u);
}

TEST(batch, duplicate_keys_last_write_wins) {
  fake_dynamodb db;
  db.apply = 1.0;
  scripted_transport* t = nullptr;
  auto c = scripted_client([&](const recorded_request& r, std::size_t) { return db.answer(r); }, t);
  dy::table<Thing> table(c);
  table.batch_save({{"a", 1}, {"b", 2}, {"a", 3}}, quick());
  EXPECT_EQ(db.store.at("a"), 3);
  EXPECT_EQ(db.writes_per_id.at("a"), 1);  // asked once: a request with the same key twice would be rejected
}

TEST(batch, exhaustion_reports_exactly_the_unapplied_requests) {
  fake_dynamodb db;
  db.apply = 0.5;
  scripted_transport* t = nullptr;
  auto c = scripted_client([&](const recorded_request& r, std::size_t) { return db.answer(r); }, t);
  dy::table<Thing> table(c);
  auto o = quick();
  o.max_attempts = 2;
  try {
    table.batch_save(things(500), o);
    FAIL() << "expected batch_write_incomplete";
  } catch (const dy::batch_write_incomplete_for<Thing>& e) {
    EXPECT_EQ(e.applied() + e.unapplied().size(), 500u);
    EXPECT_EQ(e.applied(), db.store.size());
    for (const auto& [tbl, req] : e.unapplied()) {
      EXPECT_EQ(tbl, "things");
      EXPECT_EQ(db.store.count(req.data.at("id").as_string()), 0u);  // really not applied
    }
    // the same requests, typed
    ASSERT_EQ(e.unapplied_puts().size(), e.unapplied().size());
    EXPECT_TRUE(e.unapplied_deletes().empty());
    for (const Thing& th : e.unapplied_puts()) EXPECT_EQ(db.store.count(th.id), 0u);
    EXPECT_EQ(e.unapplied_puts().front().n, std::stoi(e.unapplied_puts().front().id.substr(1)));
  }
  db.never_apply = true;  // deletes that never land: every one is reported, as a typed key
  try {
    table.batch_delete({"t1", "t2", "t3", "t4", "t5", "t6"}, o);
    FAIL() << "expected batch_write_incomplete";
  } catch (const dy::batch_write_incomplete_for<Thing>& e) {
    EXPECT_EQ(e.applied(), 0u);
    EXPECT_EQ(e.unapplied().size(), 6u);
    EXPECT_TRUE(e.unapplied_puts().empty());
    auto keys = e.unapplied_deletes();
    std::sort(keys.begin(), keys.end());
    EXPECT_EQ(keys, (std::vector<std::string>{"t1", "t2", "t3", "t4", "t5", "t6"}));
  }
  try {
    (void)table.batch_get({"t1", "t2"}, o);
    FAIL();
  } catch (const dy::batch_get_incomplete_for<Thing>& e) {
    EXPECT_EQ(e.not_fetched().size(), 2u);
    EXPECT_TRUE(e.fetched().empty());
    EXPECT_EQ(e.not_fetched_keys(), (std::vector<std::string>{"t1", "t2"}));
  }
}

// A batch get that gives up part way: every key asked is either fetched (and decoded into its slot) or reported
// with its exact key, keys asked twice once, and nothing in both lists.
TEST(batch, incomplete_get_reports_exactly_the_keys_not_fetched) {
  fake_dynamodb db;
  db.apply = 1.0;
  scripted_transport* t = nullptr;
  auto c = scripted_client([&](const recorded_request& r, std::size_t) { return db.answer(r); }, t);
  dy::table<Thing> table(c);
  table.batch_save(things(400), quick());
  db.apply = 0.5;
  auto o = quick();
  o.max_attempts = 1;
  std::vector<std::string> keys;
  for (int i = 0; i < 150; ++i) keys.insert(keys.end(), 2, "t" + std::to_string(i));  // asked twice, in a row
  for (int i = 150; i < 300; ++i) keys.push_back("t" + std::to_string(i));
  try {
    (void)table.batch_get(keys, o);
    FAIL() << "expected batch_get_incomplete";
  } catch (const dy::batch_get_incomplete_for<Thing>& e) {
    std::set<std::string> fetched, missing;
    for (const Thing& th : e.fetched_models()) {
      EXPECT_EQ(th.n, std::stoi(th.id.substr(1)));
      EXPECT_TRUE(fetched.insert(th.id).second) << th.id << " fetched twice";
    }
    for (const auto& k : e.not_fetched_keys()) EXPECT_TRUE(missing.insert(k).second) << k << " reported twice";
    EXPECT_EQ(fetched.size() + missing.size(), 300u);
    EXPECT_GT(fetched.size(), 0u);
    EXPECT_GT(missing.size(), 0u);
    for (const auto& k : missing) EXPECT_EQ(fetched.count(k), 0u) << k;
    for (const auto& [tbl, key] : e.not_fetched()) EXPECT_EQ(tbl, "things");
  }
}

TEST(batch, deadline_stops_retrying_and_reports_what_is_left) {
  fake_dynamodb db;
  db.never_apply = true;
  scripted_transport* t = nullptr;
  auto c = scripted_client([&](const recorded_request& r, std::size_t) { return db.answer(r); }, t);
  dy::table<Thing> table(c);
  auto o = quick();
  o.max_attempts = 1000000;
  o.deadline = std::chrono::milliseconds(30);
  try {
    table.batch_save(things(40), o);
    FAIL();
  } catch (const dy::batch_write_incomplete& e) {
    EXPECT_EQ(e.unapplied().size(), 40u);
    EXPECT_EQ(e.applied(), 0u);
  }
}

TEST(batch, oversized_and_invalid_items_fail_before_sending) {
  fake_dynamodb db;
  scripted_transport* t = nullptr;
  auto c = scripted_client([&](const recorded_request& r, std::size_t) { return db.answer(r); }, t);
  dy::table<Thing> table(c);
  std::vector<Thing> v = things(3);
  v[1].id = "bad \xff";
  v[2].id = std::string(500 * 1024, 'x');
  try {
    table.batch_save(v, quick());
    FAIL();
  } catch (const dy::validation_error& e) {
    ASSERT_EQ(e.issues().size(), 2u) << e.what();
    EXPECT_EQ(e.issues()[0].path, "[1].id");
    EXPECT_EQ(e.issues()[1].path, "[2].id");  // a 500 KB key breaks the 2048-byte partition key limit first
    EXPECT_NE(e.issues()[1].message.find("at most 2048 bytes"), std::string::npos) << e.issues()[1].message;
  }
  EXPECT_TRUE(t->requests.empty());
}

TEST(batch, request_failures_are_retried_then_reported_with_the_cause) {
  scripted_transport* t = nullptr;
  auto c =
      scripted_client([&](const recorded_request&, std::size_t) { return aws_error(400, "ValidationException"); }, t);
  dy::table<Thing> table(c);
  try {
    table.batch_save(things(30), quick());
    FAIL();
  } catch (const dy::batch_write_incomplete& e) {
    EXPECT_EQ(e.unapplied().size(), 30u);
    EXPECT_EQ(e.applied(), 0u);
    EXPECT_THROW(std::rethrow_exception(e.cause()), dy::server_validation_error);
    // the message says why, not only how many
    EXPECT_NE(std::string(e.what()).find("30 of 30 requests were not applied; last failure: ValidationException"),
              std::string::npos)
        << e.what();
  }
  EXPECT_EQ(t->requests.size(), 2u);  // 30 = 25 + 5; a validation error is not retried
}

TEST(batch_writer, flushes_every_25_and_at_scope_end) {
  fake_dynamodb db;
  db.apply = 1.0;
  scripted_transport* t = nullptr;
  auto c = scripted_client([&](const recorded_request& r, std::size_t) { return db.answer(r); }, t);
  dy::table<Thing> table(c);
  auto sync = quick();
  sync.background_flush = false;  // exact request counts below
  {
    auto w = table.batch_writer(sync);
    for (int i = 0; i < 60; ++i) w.save({"w" + std::to_string(i), i});
    EXPECT_EQ(db.requests, 2u);  // two full requests of 25 went out
    EXPECT_EQ(w.pending(), 10u);
    w.delete_item("w0");
  }
  EXPECT_EQ(db.requests, 3u);  // the rest at scope end: 10 puts and 1 delete in one request
  EXPECT_EQ(db.store.size(), 59u);
  EXPECT_EQ(db.store.count("w0"), 0u);
  {
    auto w = table.batch_writer(sync);
    w.delete_item("w1");
    w.save({"w1", 100});  // the last request for a key wins
    w.save({"w2", 200});
    w.delete_item("w2");
  }
  EXPECT_EQ(db.store.at("w1"), 100);
  EXPECT_EQ(db.store.count("w2"), 0u);
}

TEST(batch_writer, exception_in_flight_does_not_send_the_buffer_and_reports_it) {
  fake_dynamodb db;
  db.apply = 1.0;
  scripted_transport* t = nullptr;
  auto c = scripted_client([&](const recorded_request& r, std::size_t) { return db.answer(r); }, t);
  dy::table<Thing> table(c);
  std::vector<std::string> reported;
  try {
    auto w = table.batch_writer(quick());
    w.on_failure([&](const dy::batch_write_incomplete& e) {
      for (const auto& [tbl, r] : e.unapplied()) reported.push_back(r.data.at("id").as_string());
    });
    for (int i = 0; i < 30; ++i) w.save({"x" + std::to_string(i), i});
    throw std::runtime_error("the block failed");
  } catch (const std::runtime_error&) {
  }
  EXPECT_EQ(db.store.size(), 25u);  // the first 25 were flushed before the failure
  EXPECT_EQ(reported.size(), 5u);   // the 5 buffered ones are reported, not sent, not lost
  EXPECT_EQ(reported.front(), "x25");
}

TEST(batch_writer, failed_final_flush_goes_to_the_handler) {
  fake_dynamodb db;
  db.never_apply = true;
  scripted_transport* t = nullptr;
  auto c = scripted_client([&](const recorded_request& r, std::size_t) { return db.answer(r); }, t);
  dy::table<Thing> table(c);
  auto o = quick();
  o.max_attempts = 2;
  std::size_t unapplied = 0;
  {
    auto w = table.batch_writer(o);
    w.on_failure([&](const dy::batch_write_incomplete& e) { unapplied += e.unapplied().size(); });
    for (int i = 0; i < 7; ++i) w.save({"y" + std::to_string(i), i});
  }
  EXPECT_EQ(unapplied, 7u);
  // and flush() throws it
  auto w = table.batch_writer(o);
  w.on_failure([](const dy::batch_write_incomplete&) {});
  w.save({"z", 1});
  EXPECT_THROW(w.flush(), dy::batch_write_incomplete);
  EXPECT_EQ(w.pending(), 0u);
  EXPECT_THROW(w.save({"bad \xff", 1}), dy::validation_error);  // validated when buffered
}

TEST(batch_writer, the_default_handler_reports_without_key_values) {
  fake_dynamodb db;
  db.never_apply = true;
  scripted_transport* t = nullptr;
  auto c = scripted_client([&](const recorded_request& r, std::size_t) { return db.answer(r); }, t);
  dy::table<Thing> table(c);
  auto o = quick();
  o.max_attempts = 2;
  testing::internal::CaptureStderr();
  {
    auto w = table.batch_writer(o);
    w.save({"secret-customer-id", 1});
    w.delete_item("another-secret");
  }
  std::string err = testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find("not applied: things put key#"), std::string::npos) << err;
  EXPECT_NE(err.find("not applied: things delete key#"), std::string::npos) << err;
  EXPECT_EQ(err.find("secret"), std::string::npos) << err;
}

// A fake DynamoDB behind a scripted transport whose first request is held until release(), so that a test sees
// what a writer does while a request is on the wire; wait_entered() returns once that request has arrived. The
// hold ends by itself after 60 s (timed_out()), so that a writer that waits for it fails the test instead of
// hanging it.
struct held_first_request {
  explicit held_first_request(fake_dynamodb& d) : db(d) {}
  fake_dynamodb& db;
  std::mutex mu;
  std::condition_variable cv;
  bool entered = false, released = false, expired = false;
  scripted_transport* t = nullptr;

  dy::client client() {
    return scripted_client(
        [this](const recorded_request& r, std::size_t index) {
          if (index == 0) {
            std::unique_lock lock(mu);
            entered = true;
            cv.notify_all();
            expired = !cv.wait_for(lock, std::chrono::seconds(60), [&] { return released; });
          }
          return db.answer(r);
        },
        t);
  }
  void wait_entered() {
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return entered; });
  }
  void release() {
    {
      std::lock_guard lock(mu);
      released = true;
    }
    cv.notify_all();
  }
  bool timed_out() {
    std::lock_guard lock(mu);
    return expired;
  }
};

TEST(batch_writer, background_flush_does_not_stall_the_caller) {
  fake_dynamodb db;
  db.apply = 1.0;
  held_first_request server(db);
  dy::table<Thing> table(server.client());
  {
    auto w = table.batch_writer(quick());
    for (int i = 0; i < 25; ++i) w.save({"b" + std::to_string(i), i});   // the first request goes out, held
    for (int i = 25; i < 60; ++i) w.save({"b" + std::to_string(i), i});  // a stalling writer would wait here
    // (how many of the 35 after the first request the writer has sent meanwhile depends on its thread)
    server.release();
  }
  EXPECT_FALSE(server.timed_out());
  EXPECT_EQ(db.store.size(), 60u);
}

// Back-pressure: while the engine cannot take more, the writer keeps buffering up to 50 x max_in_flight
// requests; the save that completes the 100th waits until the engine takes them.
TEST(batch_writer, saves_wait_while_fifty_requests_per_request_in_flight_are_buffered) {
  fake_dynamodb db;
  db.apply = 1.0;
  held_first_request server(db);  // held until the test has seen the saves stop
  std::atomic<int> saved{0};
  std::atomic<dy::batch_writer<Thing>*> writer{nullptr};
  dy::table<Thing> table(server.client());
  auto o = quick();
  o.max_in_flight = 2;  // 100 requests buffered at most
  std::thread producer([&] {
    auto w = table.batch_writer(o);
    writer = &w;
    int i = 0;
    for (; i < 25; ++i, ++saved) w.save({"w" + std::to_string(i), i});
    server.wait_entered();  // the engine has taken exactly these 25 and is stuck on them
    for (; i < 300; ++i, ++saved) w.save({"w" + std::to_string(i), i});
    writer = nullptr;
  });
  // 25 on the wire, then 99 saves return; the 125th completes the 100th buffered request and waits.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (saved.load() < 124 && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
  for (int i = 0; i < 2000; ++i) std::this_thread::yield();
  EXPECT_EQ(saved.load(), 124);
  auto* w = writer.load();  // alive: its save waits
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(w->pending(), 100u);
  server.release();
  producer.join();
  EXPECT_FALSE(server.timed_out());
  EXPECT_EQ(db.store.size(), 300u);
  std::size_t puts = 0;
  for (const auto& r : server.t->requests) {
    for (auto p = r.body.find("PutRequest"); p != std::string::npos; p = r.body.find("PutRequest", p + 1)) ++puts;
  }
  EXPECT_EQ(puts, 300u);  // each save sent once
}

// Requests that fail are thrown by a later save, exactly once each: with nothing ever applied, the saves that
// returned are exactly the requests reported by that save and by the final flush, and the save that threw is in
// neither (it was not buffered).
TEST(batch_writer, failed_requests_are_thrown_by_a_later_save_and_the_rest_by_flush) {
  fake_dynamodb db;
  db.never_apply = true;
  scripted_transport* t = nullptr;
  auto c = scripted_client([&](const recorded_request& r, std::size_t) { return db.answer(r); }, t);
  dy::table<Thing> table(c);
  auto o = quick();
  o.max_attempts = 2;
  auto w = table.batch_writer(o);
  w.on_failure([](const dy::batch_write_incomplete&) {});
  std::set<std::string> returned, reported;
  std::string threw;
  auto collect = [&](const dy::batch_write_incomplete_for<Thing>& e) {
    EXPECT_EQ(e.applied(), 0u);
    for (const auto& m : e.unapplied_puts()) EXPECT_TRUE(reported.insert(m.id).second) << m.id << " twice";
  };
  for (int i = 0; i < 20'000 && threw.empty(); ++i) {
    std::string id = "g" + std::to_string(i);
    try {
      w.save({id, i});
      returned.insert(id);
    } catch (const dy::batch_write_incomplete_for<Thing>& e) {
      threw = id;
      EXPECT_FALSE(e.unapplied_puts().empty());
      collect(e);
    }
    if (threw.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ASSERT_FALSE(threw.empty()) << "no save reported the failed requests";
  EXPECT_TRUE(reported.count("g0"));  // the first request's
  try {
    w.flush();
    if (reported.size() != returned.size()) ADD_FAILURE() << "flush() threw nothing";
  } catch (const dy::batch_write_incomplete_for<Thing>& e) {
    collect(e);
  }
  EXPECT_EQ(w.pending(), 0u);
  EXPECT_EQ(reported, returned);
  EXPECT_EQ(reported.count(threw), 0u);
  EXPECT_TRUE(db.store.empty());
}

TEST(batch_writer, flush_sends_the_rest_and_throws_every_request_not_applied) {
  fake_dynamodb db;
  db.never_apply = true;
  held_first_request server(db);  // held until the delete is buffered: no failure is thrown before flush()
  dy::table<Thing> table(server.client());
  auto o = quick();
  o.max_attempts = 2;
  auto w = table.batch_writer(o);
  w.on_failure([](const dy::batch_write_incomplete&) {});
  for (int i = 0; i < 25; ++i) w.save({"f" + std::to_string(i), i});  // one request, held
  server.wait_entered();
  w.delete_item("gone");
  EXPECT_EQ(w.pending(), 1u);
  server.release();
  try {
    w.flush();
    FAIL() << "nothing was applied";
  } catch (const dy::batch_write_incomplete_for<Thing>& e) {
    EXPECT_EQ(e.unapplied_puts().size(), 25u);  // typed
    EXPECT_EQ(e.unapplied_puts().at(3).id, "f3");
    ASSERT_EQ(e.unapplied_deletes().size(), 1u);
    EXPECT_EQ(e.unapplied_deletes().front(), "gone");
    EXPECT_EQ(e.applied(), 0u);
  }
  EXPECT_EQ(w.pending(), 0u);
  EXPECT_NO_THROW(w.flush());  // reported once
}

// Requests for one key land in the order they were made, through answers that leave half of every request
// unprocessed; requests for other keys go out meanwhile.
TEST(batch_writer, requests_for_a_key_land_in_order_through_partial_answers) {
  fake_dynamodb db;
  db.apply = 0.5;
  scripted_transport* t = nullptr;
  auto c = scripted_client([&](const recorded_request& r, std::size_t) { return db.answer(r); }, t);
  dy::table<Thing> table(c);
  {
    auto w = table.batch_writer(quick());
    for (int v = 0; v < 300; ++v) {
      w.save({"k", v});
      if (v % 50 == 25) w.delete_item("k");
      for (int j = 0; j < 7; ++j) w.save({"o" + std::to_string(v * 7 + j), v});
    }
    w.flush();
  }
  const auto& h = db.history.at("k");
  ASSERT_FALSE(h.empty());
  int last = -1;
  for (std::size_t i = 0; i < h.size(); ++i) {
    if (h[i] == -1) continue;  // a delete
    EXPECT_GT(h[i], last) << "put " << i << " of key k landed after a later one";
    last = h[i];
  }
  EXPECT_EQ(h.back(), 299);
  EXPECT_EQ(db.store.at("k"), 299);
  EXPECT_EQ(db.store.size(), 1u + 2100u);
  for (const auto& [id, writes] : db.writes_per_id) {
    if (id != "k") {
      EXPECT_EQ(writes, 1) << id;
    }
  }
}

// A request whose items keep coming back unprocessed does not hold up the requests after it: the server here
// applies the first request's items only once every later item is stored. A writer that waited for one
// request's retries before sending the next would run out of attempts. (The first request is held until every
// save has returned, so that how far the retries get meanwhile does not depend on the threads' timing.)
TEST(batch_writer, a_request_in_backoff_does_not_hold_up_later_requests) {
  fake_dynamodb db;
  db.apply = 1.0;
  db.hold = [&](const std::string& id) { return id.starts_with("slow") && db.store.size() < 500; };
  held_first_request server(db);
  dy::table<Thing> table(server.client());
  auto o = quick();
  o.max_attempts = 1000;
  o.max_in_flight = 11;  // 550 requests may be buffered: the saves below never wait for the held request
  auto w = table.batch_writer(o);
  for (int i = 0; i < 25; ++i) w.save({"slow" + std::to_string(i), i});
  for (int i = 0; i < 500; ++i) w.save({"fast" + std::to_string(i), i});
  server.release();
  EXPECT_NO_THROW(w.flush());
  EXPECT_EQ(db.store.size(), 525u);
  EXPECT_EQ(db.writes_per_id.at("slow0"), 1);
}

}  // namespace test_batch
