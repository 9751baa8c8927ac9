// Typed conditions, updates, queries, scans and pagination against DynamoDB Local.
#include <gtest/gtest.h>

#include <cstdio>
#include <thread>

#include <dynantic/dynantic.hpp>

#include "test_env.hpp"

namespace test_expressions {
namespace dy = dynantic;
using namespace dynantic::testing;
using namespace std::chrono;
using dy::attr;
using dy::attr_named;

enum class Status { active, inactive };
DYNANTIC_ENUM(Status, (active, "active"), (inactive, "inactive"))

struct Address {
  std::string city;
};
DYNANTIC_STRUCT(Address, field(city))

struct Item {
  std::string pk;
  std::string sk;
  std::string name;  // reserved words as attribute names
  Status status{};
  std::int64_t size = 0;
  std::string dotted;
  std::optional<int> age;
  dy::decimal balance;
  std::set<std::string> tags;
  std::vector<std::string> history;
  Address home;
  std::int64_t rank = 0;
  std::optional<dy::timestamp> expires;
  std::int64_t version = 0;
};
DYNANTIC_MODEL(Item, "items", key(pk), sort_key(sk), field(name), field(status, gsi_key("by_status")), field(size),
               field(dotted, stored_as("a.b")), field(age), field(balance), field(tags), field(history), field(home),
               field(rank, lsi_sort_key("by_rank"), gsi_sort_key("by_status")), ttl(expires), version(version))

struct fixture {
  dy::client c = test_client();
  dy::table<Item> t{c, unique_name("x")};
  fixture() { t.create_table(); }
  ~fixture() {
    try {
      t.delete_table();
    } catch (...) {
    }
  }
};

Item make(const std::string& pk, int i) {
  char sk[16];
  std::snprintf(sk, sizeof sk, "s%05d", i);
  Item it{};
  it.pk = pk;
  it.sk = sk;
  it.name = "name " + std::to_string(i);
  it.status = i % 3 == 0 ? Status::inactive : Status::active;
  it.size = i;
  it.dotted = "d" + std::to_string(i);
  it.balance = dy::decimal(i);
  it.rank = 1000 - i;
  return it;
}

// Writes items with BatchWriteItem, 25 per request, retrying what comes back unprocessed.
void load(const dy::client& c, const std::string& table, int n, const std::string& pk) {
  for (int start = 0; start < n; start += 25) {
    dy::ops::batch_write_item_request r;
    for (int i = start; i < std::min(n, start + 25); ++i) {
      Item it = make(pk, i);
      it.version = 1;
      r.request_items[table].push_back(dy::ops::write_request::put(dy::to_item(it)));
    }
    for (int attempt = 0; !r.request_items.empty(); ++attempt) {
      ASSERT_LT(attempt, 10);
      r.request_items = dy::ops::batch_write_item(c, r).unprocessed_items;
    }
  }
}

TEST(expressions, conditional_writes_with_typed_conditions) {
  DYNANTIC_REQUIRE_SERVER();
  fixture f;
  Item a = make("p", 1);
  f.t.save(a, attr(&Item::pk).not_exists());
  a.name = "changed";
  EXPECT_THROW(f.t.create(a), dy::conditional_check_failed);
  try {
    f.t.save(a, attr(&Item::status) == Status::inactive);  // stored status is active
    FAIL();
  } catch (const dy::conditional_check_failed_for<Item>& e) {
    ASSERT_TRUE(e.old_model());
    EXPECT_EQ(e.old_model()->name, "name 1");  // the stored item, decoded into the model
  }
  f.t.save(a, attr(&Item::status) == Status::active && attr(&Item::size) == 1 && attr(&Item::dotted) == "d1");
  EXPECT_EQ(f.t.get("p", "s00001")->name, "changed");
  EXPECT_THROW(f.t.delete_item("p", "s00001", attr(&Item::name).begins_with("nope")), dy::conditional_check_failed);
  f.t.delete_item("p", "s00001", attr(&Item::name).begins_with("chan"));
  EXPECT_FALSE(f.t.get("p", "s00001"));
}

TEST(expressions, every_operator_against_the_server) {
  DYNANTIC_REQUIRE_SERVER();
  fixture f;
  Item a = make("p", 5);
  a.tags = {"vip", "new"};
  a.age = 30;
  a.home.city = "Bern";
  a.history = {"x", "y"};
  f.t.save(a);
  auto holds = [&](const auto& cond) {
    try {
      f.t.delete_item(f.t.decode(dy::to_item(*f.t.get("p", "s00005", {.consistent_read = true}))), cond);
    } catch (const dy::conditional_check_failed&) {
      return false;
    }
    Item again = a;
    again.version = 0;
    f.t.save(again);  // put it back
    a.version = again.version;
    return true;
  };
  EXPECT_TRUE(holds(attr(&Item::size) == 5));
  EXPECT_FALSE(holds(attr(&Item::size) != 5));
  EXPECT_TRUE(
      holds(attr(&Item::size) < 6 && attr(&Item::size) <= 5 && attr(&Item::size) > 4 && attr(&Item::size) >= 5));
  EXPECT_TRUE(holds(attr(&Item::name).exists() && attr(&Item::expires).not_exists()));
  EXPECT_TRUE(holds(attr(&Item::name).begins_with("name")));
  EXPECT_TRUE(holds(attr(&Item::tags).contains("vip") && attr(&Item::name).contains("me 5")));
  EXPECT_FALSE(holds(attr(&Item::tags).contains("gold")));
  EXPECT_TRUE(holds(attr(&Item::age).between(18, 65)));
  EXPECT_TRUE(holds(attr(&Item::status).is_in(Status::active, Status::inactive)));
  EXPECT_TRUE(holds(attr(&Item::tags).size() == 2 && attr(&Item::history).size() > 1));
  EXPECT_TRUE(holds(attr(&Item::name).attribute_type(dy::value_type::s)));
  EXPECT_FALSE(holds(attr(&Item::name).attribute_type(dy::value_type::n)));
  EXPECT_TRUE(holds(attr(&Item::home).at(&Address::city) == "Bern" && attr(&Item::history)[1] == "y"));
  EXPECT_TRUE(holds(!(attr(&Item::size) == 4) || attr(&Item::size) == 99));
  EXPECT_TRUE(holds(attr_named("a.b") == "d5"));
}

TEST(expressions, atomic_updates) {
  DYNANTIC_REQUIRE_SERVER();
  fixture f;
  Item a = make("p", 7);
  a.tags = {"old", "keep"};
  a.history = {"b"};
  a.age = 40;
  f.t.save(a);
  auto r = f.t.update("p", "s00007")
               .set(&Item::name, "renamed")
               .set(&Item::size, attr(&Item::size) + 10)
               .add(&Item::balance, dy::decimal("0.25"))
               .add(&Item::tags, {"vip"})
               .append(&Item::history, std::vector<std::string>{"c"})
               .remove(&Item::age)
               .set(attr(&Item::home).at(&Address::city), "Zug")
               .set_if_not_exists(&Item::dotted, "ignored")
               .set(&Item::expires, dy::timestamp{sys_days{2030y / January / 1}})
               .condition(attr(&Item::status) == Status::active)
               .return_values(dy::ops::return_values::all_new)
               .execute();
  // DynamoDB refuses two actions on one path in one update: the rest in a second one
  r = f.t.update("p", "s00007")
          .delete_elements(&Item::tags, {"old"})
          .prepend(&Item::history, std::vector<std::string>{"a"})
          .return_values(dy::ops::return_values::all_new)
          .execute();
  auto m = r.model();
  ASSERT_TRUE(m);
  EXPECT_EQ(m->name, "renamed");
  EXPECT_EQ(m->size, 17);
  EXPECT_EQ(m->balance, dy::decimal("7.25"));
  EXPECT_EQ(m->tags, (std::set<std::string>{"keep", "vip"}));
  EXPECT_EQ(m->history, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_FALSE(m->age);
  EXPECT_EQ(m->home.city, "Zug");
  EXPECT_EQ(m->dotted, "d7");
  EXPECT_EQ(m->version, 3);                                               // incremented by each update
  EXPECT_EQ(r.attributes->at("expires").as_number_text(), "1893456000");  // TTL as epoch seconds

  auto partial =
      f.t.update("p", "s00007").add(&Item::size, 1).return_values(dy::ops::return_values::updated_new).execute();
  EXPECT_EQ(partial.attributes->at("size").as_number_text(), "18");
  EXPECT_EQ(partial.get(&Item::size), 18);  // typed partial
  EXPECT_EQ(partial.get(&Item::version), 4);
  EXPECT_FALSE(partial.get(&Item::name));  // not among the updated attributes
  EXPECT_THROW(f.t.update("p", "s00007").set(&Item::size, 0).condition(attr(&Item::size) == 0).execute(),
               dy::conditional_check_failed);
  EXPECT_THROW(f.t.update("p", "s00007").execute(), dy::validation_error);                          // empty
  EXPECT_THROW(f.t.update("p", "s00007").set(&Item::sk, "other").execute(), dy::validation_error);  // key
}

TEST(expressions, query_key_conditions_filters_and_shapes) {
  DYNANTIC_REQUIRE_SERVER();
  fixture f;
  load(f.c, f.t.name(), 30, "q");
  auto sks = [](const std::vector<Item>& v) {
    std::vector<std::string> out;
    for (const auto& i : v) out.push_back(i.sk);
    return out;
  };
  EXPECT_EQ(f.t.query("q").all().size(), 30u);
  EXPECT_EQ(sks(f.t.query("q").eq("s00003").all()), std::vector<std::string>{"s00003"});
  EXPECT_EQ(f.t.query("q").lt("s00003").all().size(), 3u);
  EXPECT_EQ(f.t.query("q").le("s00003").all().size(), 4u);
  EXPECT_EQ(f.t.query("q").gt("s00027").all().size(), 2u);
  EXPECT_EQ(f.t.query("q").ge("s00027").all().size(), 3u);
  EXPECT_EQ(f.t.query("q").between("s00010", "s00019").all().size(), 10u);
  EXPECT_EQ(f.t.query("q").starts_with("s0002").all().size(), 10u);
  EXPECT_EQ(f.t.query("q").reverse().limit(2).all().front().sk, "s00029");
  EXPECT_EQ(f.t.query("q").filter(attr(&Item::status) == Status::inactive).all().size(), 10u);
  EXPECT_EQ(f.t.query("q").filter(attr(&Item::status) == Status::inactive).count(), 10);
  EXPECT_EQ(f.t.query("q").count(), 30);
  EXPECT_EQ(f.t.query("q").first()->sk, "s00000");
  EXPECT_FALSE(f.t.query("nobody").first());
  EXPECT_EQ(f.t.query("q").eq("s00004").one().size, 4);
  EXPECT_THROW(f.t.query("q").one(), dy::cardinality_error);
  EXPECT_THROW(f.t.query("nobody").one(), dy::cardinality_error);
  // limit counts items returned, also with a filter that discards most of what is read
  auto filtered = f.t.query("q").filter(attr(&Item::size) >= 20).limit(5).page_size(3).all();
  EXPECT_EQ(sks(filtered), (std::vector<std::string>{"s00020", "s00021", "s00022", "s00023", "s00024"}));
  // range-for over a chain of builder calls on a temporary (the builder must not dangle)
  std::size_t chained = 0;
  for (const Item& it : f.t.query("q").ge("s00025").filter(attr(&Item::size) > 0).limit(100)) chained += !it.sk.empty();
  EXPECT_EQ(chained, 5u);
  // projections as typed tuples
  auto rows = f.t.query("q").between("s00001", "s00003").values(&Item::name, &Item::size, &Item::age);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(std::get<0>(rows[0]), "name 1");
  EXPECT_EQ(std::get<1>(rows[2]), 3);
  EXPECT_FALSE(std::get<2>(rows[0]));
  EXPECT_EQ(f.t.scan().limit(4).values(&Item::sk).size(), 4u);
  EXPECT_EQ(f.t.query("q").limit(7).page_size(2).values(&Item::size).size(), 7u);
  // indexes
  auto inactive = f.t.query_index<"by_status">(Status::inactive).all();
  EXPECT_EQ(inactive.size(), 10u);
  EXPECT_EQ(f.t.query_index<"by_rank">("q").gt(995).all().size(), 5u);  // rank 1000 - i > 995: i = 0..4
  EXPECT_EQ(f.t.query_index<"by_status">(Status::active).gt(990).count(), 6);
  // names known only at run time: the index and the partition key value's type are checked before sending
  EXPECT_EQ(f.t.query_index(std::string("by_status"), "inactive").all().size(), 10u);
  EXPECT_THROW(f.t.query_index("no_such_index", "x"), dy::validation_error);
  try {
    (void)f.t.query_index(std::string("by_status"), 42);
    FAIL() << "a number for a string index key was accepted";
  } catch (const dy::validation_error& e) {
    EXPECT_EQ(e.issues().at(0).path, "status");
    EXPECT_EQ(e.issues().at(0).message, "the partition key of index 'by_status' is S, the value is N");
  }
  // scan
  EXPECT_EQ(f.t.scan().filter(attr(&Item::size) < 10).all().size(), 10u);
  EXPECT_EQ(f.t.scan().count(), 30);
  EXPECT_EQ(f.t.scan_index<"by_status">().count(), 30);
  EXPECT_EQ(f.t.scan_index("by_rank").count(), 30);
}

TEST(expressions, pagination_over_10000_items) {
  DYNANTIC_REQUIRE_SERVER();
  fixture f;
  load(f.c, f.t.name(), 10000, "big");
  // lazy iteration over every item, in order, once
  std::size_t n = 0;
  std::string last;
  for (const Item& it : f.t.query("big")) {
    EXPECT_LT(last, it.sk);
    last = it.sk;
    ++n;
  }
  EXPECT_EQ(n, 10000u);
  // page / cursor round trips with limit
  auto q = f.t.query("big").limit(777);
  std::string cursor;
  std::size_t seen = 0, pages = 0;
  std::set<std::string> keys;
  do {
    auto p = q.page(cursor);
    ++pages;
    for (const auto& it : p.items) keys.insert(it.sk);
    seen += p.items.size();
    if (p.has_more()) {
      EXPECT_EQ(p.items.size(), 777u);
    }
    cursor = p.cursor;
  } while (!cursor.empty());
  EXPECT_EQ(seen, 10000u);
  EXPECT_EQ(keys.size(), 10000u);
  EXPECT_EQ(pages, 13u);  // 12 full pages and 676 items
  EXPECT_EQ(f.t.query("big").limit(10).all().size(), 10u);
  EXPECT_EQ(f.t.query("big").count(), 10000);
}

TEST(expressions, cursors_are_bound_and_can_be_signed) {
  DYNANTIC_REQUIRE_SERVER();
  fixture f;
  load(f.c, f.t.name(), 20, "c");
  load(f.c, f.t.name(), 5, "other");
  auto q = f.t.query("c").limit(5).cursor_key("s3cr3t");
  auto first = q.page();
  ASSERT_TRUE(first.has_more());
  EXPECT_EQ(q.page(first.cursor).items.front().sk, "s00005");
  // tampered: flip one character of the position
  std::string bad = first.cursor;
  bad[bad.size() / 2] = bad[bad.size() / 2] == 'A' ? 'B' : 'A';
  EXPECT_THROW(q.page(bad), dy::invalid_cursor);
  EXPECT_THROW(q.page("garbage"), dy::invalid_cursor);
  // unsigned where a signature is required
  auto unsigned_first = f.t.query("c").limit(5).page();
  EXPECT_THROW(q.page(unsigned_first.cursor), dy::invalid_cursor);
  // another key
  EXPECT_THROW(f.t.query("c").limit(5).cursor_key("other").page(first.cursor), dy::invalid_cursor);
  // another query (another partition): foreign even without signatures
  EXPECT_THROW(f.t.query("other").limit(5).page(unsigned_first.cursor), dy::invalid_cursor);
  EXPECT_EQ(f.t.query("c").limit(5).page(unsigned_first.cursor).items.front().sk, "s00005");
  // another index of the same partition, another table: foreign (refused before anything is sent)
  EXPECT_THROW(f.t.query_index<"by_rank">("c").limit(5).page(unsigned_first.cursor), dy::invalid_cursor);
  EXPECT_THROW(dy::table<Item>(f.c, unique_name("never_created")).query("c").limit(5).page(unsigned_first.cursor),
               dy::invalid_cursor);
  // a scan's cursor is bound to its segment
  auto seg0 = f.t.scan().segment(0, 2).limit(2).page();
  ASSERT_TRUE(seg0.has_more());
  EXPECT_THROW(f.t.scan().segment(1, 2).limit(2).page(seg0.cursor), dy::invalid_cursor);
  EXPECT_THROW(f.t.scan().limit(2).page(seg0.cursor), dy::invalid_cursor);
  EXPECT_EQ(f.t.scan().segment(0, 2).limit(2).page(seg0.cursor).items.size(), 2u);
  // as documented, the sort-key condition and the filter are not part of the binding: the position is read on
  // under the other condition (the caller keeps them the same from page to page) ...
  auto other_condition = f.t.query("c").ge("s00002").limit(5).page(unsigned_first.cursor);
  ASSERT_FALSE(other_condition.items.empty());
  EXPECT_EQ(other_condition.items.front().sk, "s00005");
  // ... and DynamoDB itself refuses a position outside the sort-key condition
  EXPECT_THROW(f.t.query("c").ge("s00008").limit(5).page(unsigned_first.cursor), dy::server_validation_error);
}

TEST(expressions, parallel_scan_streams_every_item_once) {
  DYNANTIC_REQUIRE_SERVER();
  fixture f;
  load(f.c, f.t.name(), 600, "ps");
  std::set<std::string> seen;
  std::size_t batches = 0, total = 0;
  f.t.scan().page_size(50).parallel(
      4,
      [&](std::vector<Item>&& items) {
        ++batches;
        total += items.size();
        for (const auto& it : items) seen.insert(it.sk);
      },
      2);
  EXPECT_EQ(total, 600u);
  EXPECT_EQ(seen.size(), 600u);
  EXPECT_GE(batches, 12u);
  std::size_t segs = 0;
  for (int s = 0; s < 3; ++s) segs += f.t.scan().segment(s, 3).all().size();
  EXPECT_EQ(segs, 600u);
}

long rss_kb() {
  std::FILE* f = std::fopen("/proc/self/status", "r");
  if (!f) return 0;
  char line[256];
  long kb = 0;
  while (std::fgets(line, sizeof line, f)) {
    if (std::sscanf(line, "VmRSS: %ld kB", &kb) == 1) break;
  }
  std::fclose(f);
  return kb;
}

TEST(expressions, scan_of_200000_items_keeps_memory_flat) {
  DYNANTIC_REQUIRE_SERVER();
  fixture f;
  std::vector<std::thread> loaders;
  for (int t = 0; t < 4; ++t) {
    loaders.emplace_back([&, t] { load(f.c, f.t.name(), 50000, "scan-" + std::to_string(t)); });
  }
  for (auto& l : loaders) l.join();
  // Memory reaches its working size (one page: response text, parser buffers, decoded items) within the
  // first pages and must then stay there: compare the peak over the remaining 180,000 items with the level
  // after the first 20,000. Holding every item would add well over 70 MB.
  long steady = 0, peak = 0;
  std::size_t n = 0;
  for (const Item& it : f.t.scan()) {
    n += !it.pk.empty();
    if (n == 20000) steady = peak = rss_kb();
    if (n > 20000 && n % 2000 == 0) peak = std::max(peak, rss_kb());
  }
  EXPECT_EQ(n, 200000u);
  EXPECT_LT(peak - steady, 16 * 1024) << "RSS " << steady << " kB after 20,000 items, peak " << peak << " kB later";
}

}  // namespace test_expressions
