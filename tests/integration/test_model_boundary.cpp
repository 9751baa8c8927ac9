// The model boundary against DynamoDB Local: updates cannot create half items, reads name the stored item
// they fail on (or hand it over), and models evolve (members added with defaults, renamed, removed).
#include <gtest/gtest.h>

#include <dynantic/dynantic.hpp>

#include "test_env.hpp"

namespace test_model_boundary {
namespace dy = dynantic;
using namespace dynantic::testing;
using dy::attr;

enum class Status { open, shipped };
DYNANTIC_ENUM(Status, (open, "open"), (shipped, "shipped"))

struct Order {
  std::string customer;
  std::string id;
  Status status{};
  dy::decimal total;
  std::optional<std::string> note;
};
DYNANTIC_MODEL(Order, "orders", key(customer), sort_key(id), field(status, gsi_key("by_status")), field(total, ge(0)),
               field(note))

template <class M>
struct temp_table {
  dy::table<M> t;
  explicit temp_table(dy::client c) : t(c, unique_name("mb")) { t.create_table(); }
  ~temp_table() {
    try {
      t.delete_table();
    } catch (...) {
    }
  }
};

Order order(std::string id, Status s = Status::open) {
  return Order{.customer = "ada", .id = std::move(id), .status = s, .total = dy::decimal("9.50"), .note = {}};
}

TEST(model_boundary, update_of_a_missing_key_is_item_not_found_and_writes_nothing) {
  DYNANTIC_REQUIRE_SERVER();
  temp_table<Order> tt(test_client());
  auto& orders = tt.t;
  try {
    orders.update("ada", "o-404").set(&Order::status, Status::shipped).execute();
    FAIL() << "an update of a missing key succeeded";
  } catch (const dy::item_not_found& e) {
    EXPECT_EQ(e.table(), orders.name());
    EXPECT_EQ(e.key(), (dy::item{{"customer", "ada"}, {"id", "o-404"}}));
    const std::string what = e.what();
    EXPECT_NE(what.find("table '" + orders.name() + "': no item has the key customer \"ada\", id \"o-404\""),
              std::string::npos)
        << what;
  }
  // nothing was written: the partition and the index still read
  EXPECT_FALSE(orders.get("ada", "o-404", {.consistent_read = true}));
  orders.save(order("o-1"));
  EXPECT_EQ(orders.query("ada").all().size(), 1u);
  EXPECT_EQ(orders.query_index<"by_status">(Status::open).all().size(), 1u);
  // an existing item updates; a failed condition on it is the typed conditional failure, not item_not_found
  orders.update("ada", "o-1").set(&Order::status, Status::shipped).execute();
  EXPECT_EQ(orders.get("ada", "o-1", {.consistent_read = true})->status, Status::shipped);
  try {
    orders.update("ada", "o-1")
        .set(&Order::note, std::string("x"))
        .condition(attr(&Order::status) == Status::open)
        .execute();
    FAIL();
  } catch (const dy::item_not_found&) {
    FAIL() << "an existing item was reported missing";
  } catch (const dy::conditional_check_failed_for<Order>& e) {
    ASSERT_TRUE(e.old_model());
    EXPECT_EQ(e.old_model()->status, Status::shipped);
  }
  // in a transaction, the same rule cancels it
  try {
    dy::transact_write(test_client(), orders.tx_update({"ada", "o-405"}).set(&Order::status, Status::open));
    FAIL() << "a transaction updated a missing key";
  } catch (const dy::transaction_canceled& e) {
    ASSERT_EQ(e.reasons().size(), 1u);
    EXPECT_EQ(e.reasons()[0].code, "ConditionalCheckFailed");
  }
  EXPECT_FALSE(orders.get("ada", "o-405", {.consistent_read = true}));
}

TEST(model_boundary, upsert_creates_only_whole_items) {
  DYNANTIC_REQUIRE_SERVER();
  temp_table<Order> tt(test_client());
  auto& orders = tt.t;
  try {
    orders.upsert("ada", "o-2").set(&Order::status, Status::open).execute();
    FAIL() << "an upsert without total was sent";
  } catch (const dy::validation_error& e) {
    ASSERT_EQ(e.issues().size(), 1u);
    EXPECT_EQ(e.issues()[0].path, "total");
  }
  EXPECT_FALSE(orders.get("ada", "o-2", {.consistent_read = true}));
  orders.upsert("ada", "o-2").set(&Order::status, Status::open).add(&Order::total, dy::decimal("3.25")).execute();
  auto got = orders.get("ada", "o-2", {.consistent_read = true});
  ASSERT_TRUE(got);
  EXPECT_EQ(got->total, dy::decimal("3.25"));
  EXPECT_FALSE(got->note);
  // on an existing item it updates
  orders.upsert("ada", "o-2").set(&Order::status, Status::shipped).add(&Order::total, dy::decimal("1")).execute();
  EXPECT_EQ(orders.get("ada", "o-2", {.consistent_read = true})->total, dy::decimal("4.25"));
  // a transaction's upsert creates too
  dy::transact_write(
      test_client(),
      orders.tx_upsert({"ada", "o-3"}).set(&Order::status, Status::open).set(&Order::total, dy::decimal("1")));
  EXPECT_TRUE(orders.get("ada", "o-3", {.consistent_read = true}));
}

// Writes an item that is not a valid Order (another program, or an older model): total is missing.
void put_bad_order(const dy::table<Order>& t, const std::string& id) {
  dy::ops::put_item(test_client(),
                    {.table_name = t.name(), .item = {{"customer", "ada"}, {"id", id}, {"status", "open"}}});
}

TEST(model_boundary, reads_of_an_invalid_stored_item_name_its_table_and_key) {
  DYNANTIC_REQUIRE_SERVER();
  temp_table<Order> tt(test_client());
  auto& orders = tt.t;
  orders.save(order("o-1"));
  put_bad_order(orders, "o-2");
  auto check = [&](const dy::validation_error& e) {
    EXPECT_EQ(e.table(), orders.name());
    EXPECT_EQ(e.key(), (dy::item{{"customer", "ada"}, {"id", "o-2"}}));
    ASSERT_EQ(e.issues().size(), 1u);
    EXPECT_EQ(e.issues()[0].path, "total");
    EXPECT_NE(std::string(e.what()).find("stored item with key customer \"ada\", id \"o-2\""), std::string::npos)
        << e.what();
  };
  try {
    (void)orders.get("ada", "o-2", {.consistent_read = true});
    FAIL();
  } catch (const dy::validation_error& e) {
    check(e);
  }
  try {
    (void)orders.query("ada").all();
    FAIL();
  } catch (const dy::validation_error& e) {
    check(e);
  }
  try {
    (void)orders.query_index<"by_status">(Status::open).all();
    FAIL();
  } catch (const dy::validation_error& e) {
    check(e);
  }
  try {
    (void)orders.batch_get({{"ada", "o-1"}, {"ada", "o-2"}});
    FAIL();
  } catch (const dy::validation_error& e) {
    check(e);
  }
  try {
    (void)dy::transact_get(test_client(), orders.tx_get({"ada", "o-2"}));
    FAIL();
  } catch (const dy::validation_error& e) {
    check(e);
  }
}

TEST(model_boundary, on_invalid_hands_over_bad_items_and_the_read_goes_on) {
  DYNANTIC_REQUIRE_SERVER();
  temp_table<Order> tt(test_client());
  auto& orders = tt.t;
  for (int i = 1; i <= 5; ++i) orders.save(order("o-" + std::to_string(i) + "-good"));
  put_bad_order(orders, "o-0-bad");  // the first item of the partition
  put_bad_order(orders, "o-3-bad");
  std::vector<dy::invalid_item> bad;
  auto collect = [&](dy::invalid_item&& i) { bad.push_back(std::move(i)); };

  std::vector<std::string> ids;
  for (const Order& o : orders.query("ada").page_size(2).on_invalid(collect)) ids.push_back(o.id);
  EXPECT_EQ(ids, (std::vector<std::string>{"o-1-good", "o-2-good", "o-3-good", "o-4-good", "o-5-good"}));
  ASSERT_EQ(bad.size(), 2u);
  EXPECT_EQ(bad[0].error.key(), (dy::item{{"customer", "ada"}, {"id", "o-0-bad"}}));
  EXPECT_EQ(bad[1].error.key(), (dy::item{{"customer", "ada"}, {"id", "o-3-bad"}}));
  EXPECT_EQ(bad[1].stored.at("status"), dy::attribute_value("open"));
  EXPECT_EQ(bad[1].error.issues().at(0).path, "total");

  // all(), first() and one() skip them too; page() returns fewer items and the same cursor
  bad.clear();
  EXPECT_EQ(orders.query("ada").on_invalid(collect).all().size(), 5u);
  EXPECT_EQ(bad.size(), 2u);
  bad.clear();
  auto first = orders.query("ada").on_invalid(collect).first();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->id, "o-1-good");
  EXPECT_EQ(bad.size(), 1u);
  EXPECT_EQ(orders.query("ada").lt("o-2").on_invalid([](dy::invalid_item&&) {}).one().id, "o-1-good");
  auto p = orders.query("ada").limit(3).on_invalid([](dy::invalid_item&&) {}).page();
  EXPECT_EQ(p.items.size(), 2u);  // o-0-bad, o-1-good, o-2-good
  auto rest = orders.query("ada").limit(3).on_invalid([](dy::invalid_item&&) {}).page(p.cursor);
  ASSERT_EQ(rest.items.size(), 2u);  // o-3-bad, o-3-good, o-4-good
  EXPECT_EQ(rest.items[0].id, "o-3-good");

  // a parallel scan hands them over one at a time, beside the pages
  std::size_t good = 0, invalid = 0;
  orders.scan().on_invalid([&](dy::invalid_item&&) { ++invalid; }).parallel(3, [&](std::vector<Order>&& page) {
    good += page.size();
  });
  EXPECT_EQ(good, 5u);
  EXPECT_EQ(invalid, 2u);
  // without on_invalid the read fails on the first bad item
  EXPECT_THROW((void)orders.scan().all(), dy::validation_error);
}

// The same table read by three versions of a model: members added (with defaults), renamed, removed.
struct PlayerV1 {
  std::string id;
  std::string name;
  int legacy_rank = 0;
};
DYNANTIC_MODEL(PlayerV1, "players", key(id), field(name), field(legacy_rank))

struct PlayerV2 {
  std::string id;
  std::string display_name;             // renamed: still stored as "name"
  int points = 0;                       // added: items written before it read as 0
  int level = 3;                        // added: reads as its initializer
  std::string league;                   // added: reads as "bronze"
  std::optional<std::string> nickname;  // added: optional, absent
  // legacy_rank removed: the stored attribute is ignored
};
DYNANTIC_MODEL(PlayerV2, "players", key(id), field(display_name, stored_as("name")), field(points, default_value(0)),
               field(level, default_initializer), field(league, default_value("bronze")), field(nickname))

struct PlayerV2Strict {
  std::string id;
  std::string display_name;
  int points = 0;
};
DYNANTIC_MODEL(PlayerV2Strict, "players", key(id), field(display_name, stored_as("name")), field(points))

TEST(model_boundary, items_of_an_older_model_read_with_declared_defaults) {
  DYNANTIC_REQUIRE_SERVER();
  auto c = test_client();
  temp_table<PlayerV1> tt(c);
  dy::table<PlayerV2> v2(c, tt.t.name());
  tt.t.save(PlayerV1{.id = "p-1", .name = "Ada", .legacy_rank = 7});
  auto got = v2.get("p-1", {.consistent_read = true});
  ASSERT_TRUE(got);
  EXPECT_EQ(got->display_name, "Ada");
  EXPECT_EQ(got->points, 0);
  EXPECT_EQ(got->level, 3);
  EXPECT_EQ(got->league, "bronze");
  EXPECT_FALSE(got->nickname);
  // the new model writes all of its members; the older one still reads them (unknown attributes ignored)
  v2.save(PlayerV2{.id = "p-2", .display_name = "Bob", .points = 12, .level = 5, .league = "gold", .nickname = "b"});
  auto back = v2.get("p-2", {.consistent_read = true});
  ASSERT_TRUE(back);
  EXPECT_EQ(back->points, 12);
  EXPECT_EQ(back->level, 5);
  EXPECT_EQ(back->league, "gold");
  // a default is used only when the attribute is absent: a stored value of the wrong type is still an error
  dy::ops::put_item(c, {.table_name = tt.t.name(), .item = {{"id", "p-3"}, {"name", "Cy"}, {"points", "many"}}});
  EXPECT_THROW((void)v2.get("p-3", {.consistent_read = true}), dy::validation_error);
  // without a declared default, the added member makes older items unreadable, naming the item
  try {
    (void)dy::table<PlayerV2Strict>(c, tt.t.name()).get("p-1", {.consistent_read = true});
    FAIL();
  } catch (const dy::validation_error& e) {
    EXPECT_EQ(e.issues().at(0).path, "points");
    EXPECT_EQ(e.key(), (dy::item{{"id", "p-1"}}));
  }
}

}  // namespace test_model_boundary
