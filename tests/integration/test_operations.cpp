// Every low-level operation against a real DynamoDB Local (DYNANTIC_TEST_ENDPOINT).
#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <thread>
#include <vector>

#include <dynantic/dynantic.hpp>

#include "test_env.hpp"

namespace test_operations {
using namespace dynantic;
using namespace dynantic::testing;

item every_type(const std::string& pk, const std::string& sk) {
  return item{{"pk", pk},
              {"sk", sk},
              {"s", "Zürich ✓ 🙂 \"quoted\" \\ \n"},
              {"n_int", attribute_value::number("-9223372036854775808")},
              {"n_u64", attribute_value::number("18446744073709551615")},
              {"n_38", attribute_value::number("1234567890123456789012345678.9012345678")},
              {"n_small", attribute_value::number("1E-130")},
              {"n_big", attribute_value::number("9.9999999999999999999999999999999999999E+125")},
              {"b", attribute_value::binary_from_string(std::string("\x00\x01\xfe\xff", 4))},
              {"t", true},
              {"nul", attribute_value::null()},
              {"m", attribute_value::map({{"city", "Bern"}, {"deep", attribute_value::map({{"x", 1}})}})},
              {"l", attribute_value::list({1, "two", attribute_value::list({})})},
              {"ss", attribute_value::string_set({"a", "b"})},
              {"ns", attribute_value::number_set({"1", "2.5"})},
              {"bs", attribute_value::binary_set({"\x01", "\x02"})}};
}

// DynamoDB returns numbers in its own normal form; compare them by value, everything else exactly.
void expect_same(const attribute_value& a, const attribute_value& b, const std::string& path) {
  ASSERT_EQ(a.type(), b.type()) << path;
  switch (a.type()) {
    case value_type::n:
      EXPECT_EQ(codec::canonical_number(a.as_number_text()), codec::canonical_number(b.as_number_text())) << path;
      break;
    case value_type::ns:
    case value_type::ss:
    case value_type::bs: {
      std::set<std::string> x, y;
      for (const auto& e : a.as_set()) x.insert(a.type() == value_type::ns ? codec::canonical_number(e) : e);
      for (const auto& e : b.as_set()) y.insert(b.type() == value_type::ns ? codec::canonical_number(e) : e);
      EXPECT_EQ(x, y) << path;
      break;
    }
    case value_type::m: {
      ASSERT_EQ(a.as_map().size(), b.as_map().size()) << path;
      for (const auto& [k, v] : a.as_map()) expect_same(v, b.as_map().at(k), path + "." + k);
      break;
    }
    case value_type::l: {
      ASSERT_EQ(a.as_list().size(), b.as_list().size()) << path;
      for (std::size_t i = 0; i < a.as_list().size(); ++i) {
        expect_same(a.as_list()[i], b.as_list()[i], path + "[" + std::to_string(i) + "]");
      }
      break;
    }
    default: EXPECT_EQ(a, b) << path;
  }
}

TEST(operations, put_get_every_type) {
  DYNANTIC_REQUIRE_SERVER();
  auto c = test_client();
  scratch_table t(c);
  item in = every_type("p1", "s1");
  ops::put_item(c, {.table_name = t.name(), .item = in});
  auto got = ops::get_item(c, {.table_name = t.name(), .key = {{"pk", "p1"}, {"sk", "s1"}}, .consistent_read = true});
  ASSERT_TRUE(got.item);
  expect_same(attribute_value::map(in), attribute_value::map(*got.item), "item");
  EXPECT_FALSE(ops::get_item(c, {.table_name = t.name(), .key = {{"pk", "p1"}, {"sk", "none"}}}).item);
  auto projected = ops::get_item(c, {.table_name = t.name(),
                                     .key = {{"pk", "p1"}, {"sk", "s1"}},
                                     .projection_expression = "#s, m.city",
                                     .expression_attribute_names = {{"#s", "s"}}});
  ASSERT_TRUE(projected.item);
  EXPECT_EQ(projected.item->size(), 2u);
  EXPECT_EQ(projected.item->at("m").as_map().at("city").as_string(), "Bern");
}

TEST(operations, put_returns_old_and_update_and_delete) {
  DYNANTIC_REQUIRE_SERVER();
  auto c = test_client();
  scratch_table t(c);
  ops::put_item(c, {.table_name = t.name(), .item = {{"pk", "a"}, {"sk", "1"}, {"n", 1}}});
  auto old = ops::put_item(c, {.table_name = t.name(),
                               .item = {{"pk", "a"}, {"sk", "1"}, {"n", 2}},
                               .return_values = ops::return_values::all_old});
  ASSERT_TRUE(old.attributes);
  EXPECT_EQ(old.attributes->at("n").as_number_text(), "1");

  auto upd = ops::update_item(c, {.table_name = t.name(),
                                  .key = {{"pk", "a"}, {"sk", "1"}},
                                  .update_expression = "ADD #n :d SET #s = :s",
                                  .expression_attribute_names = {{"#n", "n"}, {"#s", "status"}},
                                  .expression_attribute_values = {{":d", 40}, {":s", "active"}},
                                  .return_values = ops::return_values::all_new});
  ASSERT_TRUE(upd.attributes);
  EXPECT_EQ(upd.attributes->at("n").as_number_text(), "42");
  EXPECT_EQ(upd.attributes->at("status").as_string(), "active");

  auto del = ops::delete_item(
      c, {.table_name = t.name(), .key = {{"pk", "a"}, {"sk", "1"}}, .return_values = ops::return_values::all_old});
  ASSERT_TRUE(del.attributes);
  EXPECT_EQ(del.attributes->at("n").as_number_text(), "42");
  EXPECT_FALSE(ops::get_item(c, {.table_name = t.name(), .key = {{"pk", "a"}, {"sk", "1"}}}).item);
  // deleting what is not there is not an error
  EXPECT_FALSE(
      ops::delete_item(
          c, {.table_name = t.name(), .key = {{"pk", "a"}, {"sk", "1"}}, .return_values = ops::return_values::all_old})
          .attributes);
}

TEST(operations, query_pages_and_scan_segments) {
  DYNANTIC_REQUIRE_SERVER();
  auto c = test_client();
  scratch_table t(c);
  ops::batch_write_item_request w;
  for (int i = 0; i < 25; ++i) {
    char sk[8];
    std::snprintf(sk, sizeof sk, "%03d", i);
    w.request_items[t.name()].push_back(ops::write_request::put({{"pk", "q"}, {"sk", sk}, {"i", i}}));
  }
  EXPECT_TRUE(ops::batch_write_item(c, w).unprocessed_items.empty());

  ops::query_request q;
  q.table_name = t.name();
  q.key_condition_expression = "pk = :p AND sk >= :from";
  q.expression_attribute_values = {{":p", "q"}, {":from", "005"}};
  q.limit = 7;
  std::vector<std::string> seen;
  int pages = 0;
  for (;;) {
    auto page = ops::query(c, q);
    ++pages;
    for (const auto& it : page.items) seen.push_back(it.at("sk").as_string());
    if (!page.last_evaluated_key) break;
    q.exclusive_start_key = page.last_evaluated_key;
  }
  ASSERT_EQ(seen.size(), 20u);
  EXPECT_EQ(seen.front(), "005");
  EXPECT_EQ(seen.back(), "024");
  EXPECT_EQ(pages, 3);  // 7 + 7 + 6: the last page is short, so it has no LastEvaluatedKey

  ops::query_request rev;
  rev.table_name = t.name();
  rev.key_condition_expression = "pk = :p";
  rev.expression_attribute_values = {{":p", "q"}};
  rev.scan_index_forward = false;
  rev.limit = 1;
  EXPECT_EQ(ops::query(c, rev).items.at(0).at("sk").as_string(), "024");

  ops::query_request count;
  count.table_name = t.name();
  count.key_condition_expression = "pk = :p";
  count.filter_expression = "i < :n";
  count.expression_attribute_values = {{":p", "q"}, {":n", 10}};
  count.select = ops::select::count;
  auto cnt = ops::query(c, count);
  EXPECT_EQ(cnt.count, 10);
  EXPECT_EQ(cnt.scanned_count, 25);
  EXPECT_TRUE(cnt.items.empty());

  std::size_t total = 0;
  for (int seg = 0; seg < 3; ++seg) {
    ops::scan_request s{.table_name = t.name(), .segment = seg, .total_segments = 3};
    for (;;) {
      auto page = ops::scan(c, s);
      total += page.items.size();
      if (!page.last_evaluated_key) break;
      s.exclusive_start_key = page.last_evaluated_key;
    }
  }
  EXPECT_EQ(total, 25u);
}

TEST(operations, batch_write_and_get) {
  DYNANTIC_REQUIRE_SERVER();
  auto c = test_client();
  scratch_table t(c, "b", /*with_sort_key=*/false);
  ops::batch_write_item_request w;
  for (int i = 0; i < 10; ++i) {
    w.request_items[t.name()].push_back(ops::write_request::put({{"pk", "k" + std::to_string(i)}, {"v", i}}));
  }
  EXPECT_TRUE(ops::batch_write_item(c, w).unprocessed_items.empty());
  ops::batch_write_item_request d;
  d.request_items[t.name()].push_back(ops::write_request::delete_key({{"pk", "k0"}}));
  ops::batch_write_item(c, d);

  ops::batch_get_item_request g;
  for (int i = 0; i < 12; ++i) g.request_items[t.name()].keys.push_back({{"pk", "k" + std::to_string(i)}});
  g.request_items[t.name()].consistent_read = true;
  auto res = ops::batch_get_item(c, g);
  EXPECT_TRUE(res.unprocessed_keys.empty());
  EXPECT_EQ(res.responses[t.name()].size(), 9u);  // k1..k9
}

TEST(operations, transactions) {
  DYNANTIC_REQUIRE_SERVER();
  auto c = test_client();
  scratch_table t(c, "x");
  ops::transact_write_items_request tw;
  tw.client_request_token = "token-" + unique_name("tx");
  tw.items.push_back(
      {.type = ops::transact_write::kind::put, .table_name = t.name(), .data = {{"pk", "a"}, {"sk", "1"}, {"n", 1}}});
  tw.items.push_back(
      {.type = ops::transact_write::kind::put, .table_name = t.name(), .data = {{"pk", "b"}, {"sk", "1"}, {"n", 2}}});
  ops::transact_write_items(c, tw);
  ops::transact_write_items(c, tw);  // same token: idempotent replay, no error

  // A replay is not applied again: an update that adds 1 (not idempotent by itself), sent twice with one token,
  // adds 1 once; sent again with a fresh token, it adds again. (Item "c" starts absent: ADD creates it.)
  ops::transact_write_items_request inc;
  inc.client_request_token = "token-" + unique_name("inc");
  ops::transact_write add_one{.type = ops::transact_write::kind::update, .table_name = t.name()};
  add_one.data = {{"pk", "c"}, {"sk", "1"}};
  add_one.update_expression = "ADD #n :one";
  add_one.expression_attribute_names = {{"#n", "n"}};
  add_one.expression_attribute_values = {{":one", 1}};
  inc.items.push_back(add_one);
  ops::transact_write_items(c, inc);
  ops::transact_write_items(c, inc);
  auto n_of_c = [&] {
    return ops::get_item(c, {.table_name = t.name(), .key = {{"pk", "c"}, {"sk", "1"}}, .consistent_read = true})
        .item->at("n")
        .as_number_text();
  };
  EXPECT_EQ(n_of_c(), "1");  // added once
  inc.client_request_token = "token-" + unique_name("inc");
  ops::transact_write_items(c, inc);
  EXPECT_EQ(n_of_c(), "2");

  auto got = ops::transact_get_items(c, {.items = {{.table_name = t.name(), .key = {{"pk", "a"}, {"sk", "1"}}},
                                                   {.table_name = t.name(), .key = {{"pk", "zz"}, {"sk", "1"}}},
                                                   {.table_name = t.name(), .key = {{"pk", "b"}, {"sk", "1"}}}}});
  ASSERT_EQ(got.items.size(), 3u);
  ASSERT_TRUE(got.items[0]);
  EXPECT_FALSE(got.items[1]);
  ASSERT_TRUE(got.items[2]);
  EXPECT_EQ(got.items[2]->at("n").as_number_text(), "2");

  ops::transact_write_items_request bad;
  bad.items.push_back({.type = ops::transact_write::kind::update,
                       .table_name = t.name(),
                       .data = {{"pk", "a"}, {"sk", "1"}},
                       .update_expression = "SET n = :v",
                       .expression_attribute_values = {{":v", 10}}});
  bad.items.push_back({.type = ops::transact_write::kind::condition_check,
                       .table_name = t.name(),
                       .data = {{"pk", "b"}, {"sk", "1"}},
                       .condition_expression = "n > :min",
                       .expression_attribute_values = {{":min", 100}},
                       .return_old_on_condition_failure = true});
  try {
    ops::transact_write_items(c, bad);
    FAIL() << "expected transaction_canceled";
  } catch (const transaction_canceled& e) {
    ASSERT_EQ(e.reasons().size(), 2u);
    EXPECT_EQ(e.reasons()[0].code, "None");
    EXPECT_EQ(e.reasons()[1].code, "ConditionalCheckFailed");
    EXPECT_EQ(e.reasons()[1].index, 1u);
    ASSERT_TRUE(e.reasons()[1].old);
    EXPECT_EQ(e.reasons()[1].old->at("n").as_number_text(), "2");
  }
  // nothing of the canceled transaction was applied
  auto a = ops::get_item(c, {.table_name = t.name(), .key = {{"pk", "a"}, {"sk", "1"}}, .consistent_read = true});
  EXPECT_EQ(a.item->at("n").as_number_text(), "1");
}

TEST(operations, tables_indexes_and_ttl) {
  DYNANTIC_REQUIRE_SERVER();
  auto c = test_client();
  std::string name = unique_name("tbl");
  ops::create_table_request r;
  r.table_name = name;
  r.attribute_definitions = {
      {"pk", ops::scalar_type::s}, {"sk", ops::scalar_type::n}, {"g", ops::scalar_type::s}, {"l", ops::scalar_type::b}};
  r.key_schema = {{"pk", ops::key_type::hash}, {"sk", ops::key_type::range}};
  r.global_secondary_indexes.push_back(
      {"by_g", {{"g", ops::key_type::hash}}, {ops::projection::kind::keys_only, {}}, std::nullopt, ""});
  r.local_secondary_indexes.push_back({"by_l",
                                       {{"pk", ops::key_type::hash}, {"l", ops::key_type::range}},
                                       {ops::projection::kind::include, {"x"}},
                                       std::nullopt,
                                       ""});
  r.billing_mode = ops::billing_mode::provisioned;
  r.throughput = ops::provisioned_throughput{3, 4};
  auto created = ops::create_table(c, r);
  EXPECT_EQ(created.table_name, name);
  EXPECT_TRUE(created.table_status == "CREATING" || created.table_status == "ACTIVE") << created.table_status;

  wait_until_active(c, name);  // CREATING for a while on AWS
  auto d = ops::describe_table(c, name);
  EXPECT_EQ(d.table_status, "ACTIVE");
  EXPECT_EQ(d.key_schema, r.key_schema);
  EXPECT_EQ(d.billing_mode, ops::billing_mode::provisioned);
  ASSERT_TRUE(d.throughput);
  EXPECT_EQ(d.throughput->read_capacity_units, 3);
  ASSERT_EQ(d.global_secondary_indexes.size(), 1u);
  EXPECT_EQ(d.global_secondary_indexes[0].index_name, "by_g");
  EXPECT_EQ(d.global_secondary_indexes[0].projection.type, ops::projection::kind::keys_only);
  ASSERT_EQ(d.local_secondary_indexes.size(), 1u);
  EXPECT_EQ(d.local_secondary_indexes[0].projection.non_key_attributes, std::vector<std::string>{"x"});

  ops::put_item(c, {.table_name = name, .item = {{"pk", "a"}, {"sk", 1}, {"g", "G"}}});
  auto viaindex = ops::query(c, {.table_name = name,
                                 .index_name = "by_g",
                                 .key_condition_expression = "g = :g",
                                 .expression_attribute_values = {{":g", "G"}}});
  EXPECT_EQ(viaindex.items.size(), 1u);

  bool listed = false;
  ops::list_tables_request lr{.limit = 2};
  for (;;) {
    auto page = ops::list_tables(c, lr);
    for (const auto& n : page.table_names) listed |= n == name;
    if (page.last_evaluated_table_name.empty()) break;
    lr.exclusive_start_table_name = page.last_evaluated_table_name;
  }
  EXPECT_TRUE(listed);

  auto ttl = ops::update_time_to_live(c, name, {.enabled = true, .attribute_name = "expires_at"});
  EXPECT_TRUE(ttl.enabled);
  EXPECT_EQ(ttl.attribute_name, "expires_at");
  auto ttl_d = ops::describe_time_to_live(c, name);
  EXPECT_EQ(ttl_d.attribute_name, "expires_at");
  EXPECT_TRUE(ttl_d.status == "ENABLED" || ttl_d.status == "ENABLING") << ttl_d.status;

  ops::delete_table(c, name);
  EXPECT_THROW(ops::describe_table(c, name), table_not_found);
}

TEST(operations, concurrent_calls_share_one_client) {
  DYNANTIC_REQUIRE_SERVER();
  auto c = test_client();
  scratch_table t(c, "cc", false);
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int th = 0; th < 4; ++th) {
    threads.emplace_back([&, th] {
      for (int i = 0; i < 25; ++i) {
        try {
          std::string k = std::to_string(th) + "-" + std::to_string(i);
          ops::put_item(c, {.table_name = t.name(), .item = {{"pk", k}, {"v", i}}});
          auto g = ops::get_item(c, {.table_name = t.name(), .key = {{"pk", k}}, .consistent_read = true});
          if (!g.item || g.item->at("v").as_number_text() != std::to_string(i)) ++failures;
        } catch (...) {
          ++failures;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
}

// One client, 16 threads, every kind of call at once (run under ThreadSanitizer by scripts/test): puts, consistent
// gets, atomic ADDs, queries, deletes, BatchWriteItem and TransactWriteItems. Each thread's own items end as its
// calls say.
TEST(operations, sixteen_threads_of_mixed_calls_share_one_client) {
  DYNANTIC_REQUIRE_SERVER();
  auto c = test_client();
  scratch_table t(c, "mixed");
  constexpr int threads_n = 16, rounds = 12;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int th = 0; th < threads_n; ++th) {
    threads.emplace_back([&, th] {
      const std::string pk = "thread-" + std::to_string(th);
      try {
        for (int i = 0; i < rounds; ++i) {
          std::string sk = "item-" + std::to_string(i);
          ops::put_item(c, {.table_name = t.name(), .item = {{"pk", pk}, {"sk", sk}, {"v", i}}});
          auto g = ops::get_item(c, {.table_name = t.name(), .key = {{"pk", pk}, {"sk", sk}}, .consistent_read = true});
          if (!g.item || g.item->at("v") != attribute_value(i)) ++failures;
          ops::update_item(c, {.table_name = t.name(),
                               .key = {{"pk", pk}, {"sk", "counter"}},
                               .update_expression = "ADD n :one",
                               .expression_attribute_values = {{":one", 1}}});
          ops::batch_write_item(
              c, {.request_items = {{t.name(),
                                     {write_request::put({{"pk", pk}, {"sk", "batch-" + std::to_string(i)}}),
                                      write_request::delete_key({{"pk", pk}, {"sk", sk}})}}}});
          ops::transact_write_items(c, {.items = {{.type = ops::transact_write::kind::update,
                                                   .table_name = t.name(),
                                                   .data = {{"pk", pk}, {"sk", "tx"}},
                                                   .update_expression = "ADD n :one",
                                                   .expression_attribute_values = {{":one", 1}}}}});
        }
        ops::delete_item(c, {.table_name = t.name(), .key = {{"pk", pk}, {"sk", "batch-0"}}});
        auto page = ops::query(c, {.table_name = t.name(),
                                   .key_condition_expression = "pk = :p",
                                   .expression_attribute_values = {{":p", pk}},
                                   .consistent_read = true});
        // counter, tx and batch-1 .. batch-11; every item-i was deleted by its batch
        if (page.items.size() != 2 + rounds - 1) ++failures;
        for (const auto& it : page.items) {
          const auto& sk = it.at("sk").as_string();
          if ((sk == "counter" || sk == "tx") && it.at("n") != attribute_value(rounds)) ++failures;
          if (sk.starts_with("item-") || sk == "batch-0") ++failures;
        }
      } catch (const std::exception& e) {
        ++failures;
        ADD_FAILURE() << pk << ": " << e.what();
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
}

}  // namespace test_operations
