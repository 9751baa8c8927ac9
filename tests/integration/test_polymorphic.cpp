// Single-table polymorphism against DynamoDB Local: Dynantic's Customer / Order / Product example, reads
// through the base (variants) and through subtypes (narrowed), and every feature on subtypes.
#include <gtest/gtest.h>

#include <dynantic/dynantic.hpp>

#include "test_env.hpp"

namespace test_polymorphic_it {
namespace dy = dynantic;
using namespace dynantic::testing;
using dy::attr;

struct Entity {
  std::string pk{};
  std::string sk{};
  std::string entity_type{};
};
DYNANTIC_MODEL(Entity, "app", key(pk), sort_key(sk), discriminator(entity_type))

struct Customer {
  std::string pk{};
  std::string sk{};
  std::string name{};
  std::string email{};
  std::int64_t version = 0;
};
DYNANTIC_SUBTYPE(Customer, Entity, "CUSTOMER", key(pk), sort_key(sk), field(name, min_length(1)),
                 field(email, gsi_key("by_email")), version(version))

struct Order {
  std::string pk{};
  std::string sk{};
  dy::decimal total{};
  std::string status{};
  std::optional<dy::timestamp> expires_at{};
};
DYNANTIC_SUBTYPE(Order, Entity, "ORDER", key(pk), sort_key(sk), field(total, ge(0)),
                 field(status, gsi_key("by_status")), ttl(expires_at))

struct Product {
  std::string pk{};
  std::string sk{};
  std::string name{};
  int stock = 0;
};
DYNANTIC_SUBTYPE(Product, Entity, "PRODUCT", key(pk), sort_key(sk, auto_uuid), field(name), field(stock, ge(0)))

DYNANTIC_SUBTYPES(Entity, Customer, Order, Product)

// A base that keeps unknown tags.
struct Record {
  std::string pk{};
  std::string sk{};
  std::string type{};
};
DYNANTIC_MODEL(Record, "records", key(pk), sort_key(sk), discriminator(type))
struct Note {
  std::string pk{};
  std::string sk{};
  std::string text{};
};
DYNANTIC_SUBTYPE(Note, Record, "note", key(pk), sort_key(sk), field(text))
DYNANTIC_SUBTYPES(Record, Note, dy::unknown_subtype)

struct app_tables {
  dy::client c = test_client();
  std::string name = unique_name("app");
  dy::table<Entity> entities{c, name};
  dy::table<Customer> customers{c, name};
  dy::table<Order> orders{c, name};
  dy::table<Product> products{c, name};
  app_tables() { entities.create_table(); }
  ~app_tables() {
    try {
      entities.delete_table();
    } catch (...) {
    }
  }
  void seed() {
    customers.save(Customer{.pk = "C#ada", .sk = "PROFILE", .name = "Ada", .email = "ada@x.org", .version = 0});
    for (int i = 1; i <= 3; ++i) {
      orders.save(Order{.pk = "C#ada",
                        .sk = "ORDER#" + std::to_string(i),
                        .total = dy::decimal(i * 10),
                        .status = i == 1 ? "shipped" : "new",
                        .expires_at = {}});
    }
    customers.save(Customer{.pk = "C#bob", .sk = "PROFILE", .name = "Bob", .email = "bob@x.org", .version = 0});
  }
};

std::string kind(const dy::result_t<Entity>& e) {
  return std::visit(dy::overloaded{[](const Customer& c) { return "customer:" + c.name; },
                                   [](const Order& o) { return "order:" + o.sk; },
                                   [](const Product& p) { return "product:" + p.name; }},
                    e);
}

TEST(polymorphic, one_query_returns_the_customer_and_its_orders) {
  DYNANTIC_REQUIRE_SERVER();
  app_tables t;
  t.seed();
  std::vector<std::string> got;
  for (const auto& e : t.entities.query("C#ada").consistent()) got.push_back(kind(e));
  EXPECT_EQ(got, (std::vector<std::string>{"order:ORDER#1", "order:ORDER#2", "order:ORDER#3", "customer:Ada"}));
  // subtypes can also be written through the base's table
  t.entities.save(Order{.pk = "C#cy", .sk = "ORDER#1", .total = dy::decimal(7), .status = "new", .expires_at = {}});
  Customer cy{.pk = "C#cy", .sk = "PROFILE", .name = "Cy", .email = "cy@x.org", .version = 0};
  t.entities.create(cy);
  EXPECT_EQ(cy.version, 1);
  EXPECT_THROW(t.entities.create(cy), dy::conditional_check_failed);
  EXPECT_EQ(t.entities.query("C#cy").consistent().count(), 2);
  // the tag is stored in the base's discriminator attribute
  auto raw = dy::ops::get_item(t.c, {.table_name = t.name, .key = {{"pk", "C#ada"}, {"sk", "PROFILE"}}});
  EXPECT_EQ(raw.item->at("entity_type").as_string(), "CUSTOMER");
  auto one = t.entities.get("C#ada", "ORDER#2");
  ASSERT_TRUE(one && std::holds_alternative<Order>(*one));
  EXPECT_EQ(std::get<Order>(*one).total, dy::decimal("20"));
  EXPECT_EQ(t.entities.query("C#ada").count(), 4);
  // a filter on a subtype's member through the base: items without it do not match
  auto big = t.entities.query("C#ada").filter(attr(&Order::total) >= dy::decimal("20")).all();
  ASSERT_EQ(big.size(), 2u);
  EXPECT_EQ(kind(big[0]), "order:ORDER#2");
}

TEST(polymorphic, reads_through_a_subtype_narrow_to_it) {
  DYNANTIC_REQUIRE_SERVER();
  app_tables t;
  t.seed();
  auto orders = t.orders.query("C#ada").consistent().all();
  ASSERT_EQ(orders.size(), 3u);
  EXPECT_EQ(orders[0].sk, "ORDER#1");
  EXPECT_EQ(t.orders.query("C#ada").count(), 3);
  EXPECT_EQ(t.orders.query("C#ada").filter(attr(&Order::total) >= dy::decimal("20")).count(), 2);
  EXPECT_EQ(t.customers.query("C#ada").one().name, "Ada");
  EXPECT_EQ(t.customers.scan().consistent().all().size(), 2u);
  EXPECT_EQ(t.orders.query("C#ada").limit(2).all().size(), 2u);
  EXPECT_EQ(t.orders.query("C#ada").reverse().first()->sk, "ORDER#3");
  try {
    (void)t.customers.get("C#ada", "ORDER#1");
    FAIL() << "a customer read returned an order";
  } catch (const dy::wrong_subtype& e) {
    EXPECT_EQ(e.expected_tag(), "CUSTOMER");
    EXPECT_EQ(e.found_tag(), "ORDER");
    // where: the table and the stored item's key, in what() and as members
    EXPECT_EQ(e.table(), t.name);
    EXPECT_EQ(e.key(), (dy::item{{"pk", "C#ada"}, {"sk", "ORDER#1"}}));
    EXPECT_EQ(std::string(e.what()), "dynantic: table '" + t.name +
                                         "', stored item with key pk \"C#ada\", sk \"ORDER#1\": expected an item of "
                                         "subtype 'CUSTOMER', found 'ORDER'");
  }
  EXPECT_FALSE(t.customers.get("C#ada", "NOPE"));
}

TEST(polymorphic, subtype_writes_never_touch_another_subtype) {
  DYNANTIC_REQUIRE_SERVER();
  app_tables t;
  t.seed();
  EXPECT_THROW(t.customers.update("C#ada", "ORDER#1").set(&Customer::name, "x").execute(), dy::wrong_subtype);
  EXPECT_THROW(t.customers.delete_item("C#ada", "ORDER#1"), dy::wrong_subtype);
  auto still = t.orders.get("C#ada", "ORDER#1", {.consistent_read = true});
  ASSERT_TRUE(still);
  EXPECT_EQ(still->status, "shipped");
  // update() changes existing items only; upsert() creates the item, with the tag, readable through the base
  EXPECT_THROW(t.orders.update("C#cy", "ORDER#9").set(&Order::status, "new").execute(), dy::item_not_found);
  EXPECT_FALSE(t.entities.get("C#cy", "ORDER#9", {.consistent_read = true}));
  t.orders.upsert("C#cy", "ORDER#9").set(&Order::total, dy::decimal("5")).set(&Order::status, "new").execute();
  auto created = t.entities.get("C#cy", "ORDER#9", {.consistent_read = true});
  ASSERT_TRUE(created && std::holds_alternative<Order>(*created));
  // deleting through the right subtype works, also for a key that does not exist
  t.orders.delete_item("C#cy", "ORDER#9");
  t.orders.delete_item("C#cy", "ORDER#10");
  EXPECT_FALSE(t.entities.get("C#cy", "ORDER#9", {.consistent_read = true}));
  // subtype conditions: typed on the subtype's own fields
  EXPECT_THROW(
      t.orders.update("C#ada", "ORDER#2").set(&Order::status, "paid").condition(attr(&Order::total) > 100).execute(),
      dy::conditional_check_failed_for<Order>);
  t.orders.update("C#ada", "ORDER#2").set(&Order::status, "paid").condition(attr(&Order::total) < 100).execute();
  EXPECT_EQ(t.orders.get("C#ada", "ORDER#2", {.consistent_read = true})->status, "paid");
}

TEST(polymorphic, versions_ttl_auto_uuid_and_gsis_work_on_subtypes) {
  DYNANTIC_REQUIRE_SERVER();
  app_tables t;
  t.seed();
  // TTL from a subtype's declaration, enabled by the base's create_table
  EXPECT_EQ(dy::ops::describe_time_to_live(t.c, t.name).attribute_name, "expires_at");
  auto when = dy::timestamp(std::chrono::seconds(2'000'000'000));
  t.orders.save(Order{.pk = "C#bob", .sk = "ORDER#1", .total = dy::decimal(1), .status = "new", .expires_at = when});
  auto raw = dy::ops::get_item(t.c, {.table_name = t.name, .key = {{"pk", "C#bob"}, {"sk", "ORDER#1"}}});
  EXPECT_EQ(raw.item->at("expires_at").as_number_text(), "2000000000");
  EXPECT_EQ(t.orders.get("C#bob", "ORDER#1")->expires_at, when);
  // versions
  auto ada = *t.customers.get("C#ada", "PROFILE", {.consistent_read = true});
  EXPECT_EQ(ada.version, 1);
  auto stale = ada;
  ada.name = "Ada L.";
  t.customers.save(ada);
  stale.name = "stale";
  try {
    t.customers.save(stale);
    FAIL();
  } catch (const dy::conditional_check_failed_for<Customer>& e) {
    ASSERT_TRUE(e.old_model());
    EXPECT_EQ(e.old_model()->name, "Ada L.");
  }
  // auto-UUID sort key
  auto lamp = t.products.save(Product{.pk = "PRODUCT", .sk = {}, .name = "Lamp", .stock = 3});
  EXPECT_EQ(lamp.sk.size(), 36u);
  EXPECT_EQ(kind(*t.entities.get("PRODUCT", lamp.sk)), "product:Lamp");
  // GSIs declared by subtypes, queried through the subtype
  auto shipped = t.orders.query_index<"by_status">("shipped").all();
  ASSERT_EQ(shipped.size(), 1u);
  EXPECT_EQ(shipped[0].sk, "ORDER#1");
  auto by_email = t.customers.query_index<"by_email">("bob@x.org").all();
  ASSERT_EQ(by_email.size(), 1u);
  EXPECT_EQ(by_email[0].name, "Bob");
  EXPECT_TRUE(t.entities.check_schema().ok());
}

TEST(polymorphic, pages_through_the_base) {
  DYNANTIC_REQUIRE_SERVER();
  app_tables t;
  std::vector<Order> many;
  for (int i = 0; i < 250; ++i) {
    char sk[16];
    std::snprintf(sk, sizeof sk, "ORDER#%04d", i);
    many.push_back(Order{.pk = "C#big", .sk = sk, .total = dy::decimal(i), .status = "new", .expires_at = {}});
  }
  t.orders.batch_save(many);
  t.customers.save(Customer{.pk = "C#big", .sk = "PROFILE", .name = "Big", .email = "big@x.org", .version = 0});
  std::size_t orders = 0, customers = 0, pages = 0;
  std::string cursor;
  do {
    auto p = t.entities.query("C#big").limit(40).page(cursor);
    for (const auto& e : p.items) (std::holds_alternative<Order>(e) ? orders : customers)++;
    cursor = p.cursor;
    ++pages;
  } while (!cursor.empty());
  EXPECT_EQ(orders, 250u);
  EXPECT_EQ(customers, 1u);
  EXPECT_EQ(pages, 7u);
  // pages through the subtype hold only its items, with the limit counting them
  auto first = t.customers.query("C#big").limit(1).page();
  ASSERT_EQ(first.items.size(), 1u);
  EXPECT_EQ(first.items[0].name, "Big");
  std::size_t seen = 0;
  t.entities.scan().parallel(3, [&](std::vector<dy::result_t<Entity>>&& items) { seen += items.size(); });
  EXPECT_EQ(seen, 251u);
}

TEST(polymorphic, batches_and_the_writer_on_subtypes) {
  DYNANTIC_REQUIRE_SERVER();
  app_tables t;
  t.seed();
  auto got = t.entities.batch_get({{"C#ada", "PROFILE"}, {"C#ada", "ORDER#3"}, {"C#ada", "MISSING"}});
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(kind(*got[0]), "customer:Ada");
  EXPECT_EQ(kind(*got[1]), "order:ORDER#3");
  EXPECT_FALSE(got[2]);
  auto orders = t.orders.batch_get({{"C#ada", "ORDER#1"}, {"C#ada", "ORDER#2"}});
  EXPECT_EQ(orders[1]->total, dy::decimal("20"));
  EXPECT_THROW(t.orders.batch_get({{"C#ada", "PROFILE"}}), dy::wrong_subtype);
  {
    auto w = t.orders.batch_writer();
    for (int i = 10; i < 40; ++i) {
      w.save(Order{
          .pk = "C#w", .sk = "ORDER#" + std::to_string(i), .total = dy::decimal(i), .status = "new", .expires_at = {}});
    }
    w.delete_item({"C#w", "ORDER#10"});
  }
  EXPECT_EQ(t.entities.query("C#w").consistent().count(), 29);
  for (const auto& e : t.entities.query("C#w").consistent()) EXPECT_TRUE(std::holds_alternative<Order>(e));
  t.orders.batch_delete({{"C#w", "ORDER#11"}, {"C#w", "ORDER#12"}});
  EXPECT_EQ(t.orders.query("C#w").consistent().count(), 27);
}

TEST(polymorphic, one_writer_for_several_subtypes_and_tables) {
  DYNANTIC_REQUIRE_SERVER();
  app_tables t;
  dy::table<Record> records{t.c, unique_name("rec")};
  records.create_table();
  dy::table<Note> notes{t.c, records.name()};
  {
    dy::multi_writer w(t.c);
    for (int i = 0; i < 40; ++i) {
      w.save(t.orders, Order{.pk = "C#m",
                             .sk = "ORDER#" + std::to_string(100 + i),
                             .total = dy::decimal(i),
                             .status = "new",
                             .expires_at = {}});
      if (i % 4 == 0) w.save(notes, Note{.pk = "n", .sk = std::to_string(i), .text = "note"});
    }
    w.save(dy::ignore_versions, t.customers,
           Customer{.pk = "C#m", .sk = "PROFILE", .name = "Multi", .email = "m@x.org", .version = 0});
    w.delete_item(t.orders, {"C#m", "ORDER#100"});
  }  // the rest is sent at scope end
  EXPECT_EQ(t.orders.query("C#m").consistent().count(), 39);
  EXPECT_EQ(t.customers.get("C#m", "PROFILE", {.consistent_read = true})->name, "Multi");
  EXPECT_EQ(notes.query("n").consistent().count(), 10);
  // left by an exception: the buffered requests are reported with their tables, not sent
  std::vector<std::string> tables;
  try {
    dy::multi_writer w(t.c);
    w.on_failure([&](const dy::batch_write_incomplete& e) {
      for (const auto& [table, r] : e.unapplied()) tables.push_back(table);
    });
    w.save(notes, Note{.pk = "n", .sk = "x", .text = "never"});
    w.save(t.orders, Order{.pk = "C#m", .sk = "ORDER#X", .total = dy::decimal(1), .status = "new", .expires_at = {}});
    throw std::runtime_error("the block failed");
  } catch (const std::runtime_error&) {
  }
  EXPECT_EQ(tables, (std::vector<std::string>{records.name(), t.name}));
  EXPECT_FALSE(notes.get("n", "x", {.consistent_read = true}));
  records.delete_table();
}

TEST(polymorphic, transactions_on_subtypes) {
  DYNANTIC_REQUIRE_SERVER();
  app_tables t;
  t.seed();
  auto lamp = t.products.save(Product{.pk = "PRODUCT", .sk = {}, .name = "Lamp", .stock = 1});
  dy::transact_write(
      t.c, t.products.tx_update({"PRODUCT", lamp.sk}).add(&Product::stock, -1).condition(attr(&Product::stock) >= 1),
      t.orders.tx_put(
          Order{.pk = "C#ada", .sk = "ORDER#4", .total = dy::decimal("19.90"), .status = "new", .expires_at = {}}),
      t.customers.tx_update({"C#ada", "PROFILE"}).set(&Customer::name, "Ada Lovelace"));
  auto [profile, order, product] =
      dy::transact_get(t.c, t.entities.tx_get({"C#ada", "PROFILE"}), t.orders.tx_get({"C#ada", "ORDER#4"}),
                       t.products.tx_get({"PRODUCT", lamp.sk}));
  EXPECT_EQ(kind(*profile), "customer:Ada Lovelace");
  EXPECT_EQ(std::get<Customer>(*profile).version, 2);
  EXPECT_EQ(order->total, dy::decimal("19.90"));
  EXPECT_EQ(product->stock, 0);
  // a delete through the wrong subtype cancels the transaction at its index
  try {
    dy::transact_write(t.c,
                       t.orders.tx_put(Order{
                           .pk = "C#ada", .sk = "ORDER#5", .total = dy::decimal(1), .status = "new", .expires_at = {}}),
                       t.customers.tx_delete({"C#ada", "ORDER#4"}));
    FAIL();
  } catch (const dy::transaction_canceled& e) {
    ASSERT_EQ(e.reasons().size(), 2u);
    EXPECT_EQ(e.reasons()[1].code, "ConditionalCheckFailed");
    ASSERT_TRUE(e.reasons()[1].old);
    EXPECT_EQ(kind(t.entities.decode(*e.reasons()[1].old)), "order:ORDER#4");
  }
  EXPECT_FALSE(t.orders.get("C#ada", "ORDER#5", {.consistent_read = true}));
  EXPECT_THROW((void)dy::transact_get(t.c, t.customers.tx_get({"C#ada", "ORDER#4"})), dy::wrong_subtype);
}

TEST(polymorphic, unknown_tags_are_typed_errors_or_kept_when_the_base_asks) {
  DYNANTIC_REQUIRE_SERVER();
  app_tables t;
  t.seed();
  dy::ops::put_item(t.c, {.table_name = t.name,
                          .item = {{"pk", "C#ada"}, {"sk", "GIFT#1"}, {"entity_type", "GIFT_CARD"}, {"value", 5}}});
  dy::ops::put_item(t.c, {.table_name = t.name, .item = {{"pk", "C#ada"}, {"sk", "LEGACY"}}});
  try {
    (void)t.entities.get("C#ada", "GIFT#1");
    FAIL();
  } catch (const dy::unknown_discriminator& e) {
    EXPECT_EQ(e.tag(), "GIFT_CARD");
    EXPECT_EQ(e.stored_item().at("value").as_number_text(), "5");
    EXPECT_EQ(e.table(), t.name);
    EXPECT_EQ(e.key(), (dy::item{{"pk", "C#ada"}, {"sk", "GIFT#1"}}));
    EXPECT_NE(std::string(e.what()).find("table '" + t.name +
                                         "', stored item with key pk \"C#ada\", sk \"GIFT#1\": "
                                         "'GIFT_CARD' is not the tag of a subtype"),
              std::string::npos)
        << e.what();
  }
  try {
    (void)t.entities.get("C#ada", "LEGACY");
    FAIL();
  } catch (const dy::unknown_discriminator& e) {
    EXPECT_EQ(e.tag(), "");
  }
  try {  // a query names the item too
    (void)t.entities.query("C#ada").all();
    FAIL();
  } catch (const dy::unknown_discriminator& e) {
    EXPECT_EQ(e.table(), t.name);
    EXPECT_EQ(e.key().at("pk").as_string(), "C#ada");
  }
  // subtypes never see them
  EXPECT_EQ(t.orders.query("C#ada").consistent().count(), 3);

  dy::table<Record> records{t.c, unique_name("rec")};
  records.create_table();
  dy::table<Note> notes{t.c, records.name()};
  notes.save(Note{.pk = "r", .sk = "1", .text = "hi"});
  dy::ops::put_item(t.c,
                    {.table_name = records.name(), .item = {{"pk", "r"}, {"sk", "2"}, {"type", "image"}, {"w", 640}}});
  auto all = records.query("r").consistent().all();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(std::get<Note>(all[0]).text, "hi");
  ASSERT_TRUE(std::holds_alternative<dy::unknown_subtype>(all[1]));
  EXPECT_EQ(std::get<dy::unknown_subtype>(all[1]).tag, "image");
  EXPECT_EQ(std::get<dy::unknown_subtype>(all[1]).attributes.at("w").as_number_text(), "640");
  records.delete_table();
}

}  // namespace test_polymorphic_it
