// Single-table design: Customer, Order and Product share one table (pk / sk) and a discriminator. One query
// returns a customer and its orders as std::variant; reads through a subtype narrow to it. Run by scripts/demo
// against DynamoDB Local (endpoint, region and credentials from the environment).
#include <iostream>
#include <random>

#include <dynantic/dynantic.hpp>

namespace dy = dynantic;

namespace app {

// The base: the table's keys and the discriminator attribute. Its items are only ever written as subtypes.
struct Entity {
  std::string pk{};
  std::string sk{};
  std::string entity_type{};
};
DYNANTIC_MODEL(Entity, "app", key(pk), sort_key(sk), discriminator(entity_type))

// Subtypes repeat the base's keys (checked at compile time), so designated initializers set everything.
struct Customer {
  std::string pk{};
  std::string sk{};
  std::string name{};
  std::string email{};
  std::int64_t version = 0;
};
DYNANTIC_SUBTYPE(Customer, Entity, "CUSTOMER", key(pk), sort_key(sk), field(name, min_length(1)),
                 field(email, gsi_key("by_email")), version(version))

enum class OrderStatus { pending, shipped };
DYNANTIC_ENUM(OrderStatus, (pending, "pending"), (shipped, "shipped"))

struct Order {
  std::string pk{};
  std::string sk{};
  dy::decimal total{};
  OrderStatus status{};
  std::vector<std::string> lines{};
  std::optional<dy::timestamp> expires_at{};
};
DYNANTIC_SUBTYPE(Order, Entity, "ORDER", key(pk), sort_key(sk), field(total, ge(0)),
                 field(status, gsi_key("by_status")), field(lines), ttl(expires_at))

struct Product {
  std::string pk{};
  std::string sk{};
  std::string name{};
  dy::decimal price{};
  int stock = 0;
};
DYNANTIC_SUBTYPE(Product, Entity, "PRODUCT", key(pk), sort_key(sk, auto_uuid), field(name), field(price, gt(0)),
                 field(stock, ge(0)))

DYNANTIC_SUBTYPES(Entity, Customer, Order, Product)

}  // namespace app

namespace {
std::string describe(const dy::result_t<app::Entity>& e) {
  return std::visit(dy::overloaded{
                        [](const app::Customer& c) { return "Customer " + c.name + " <" + c.email + ">"; },
                        [](const app::Order& o) { return "Order " + o.sk + " total " + o.total.text(); },
                        [](const app::Product& p) { return "Product " + p.name + " at " + p.price.text(); },
                    },
                    e);
}
}  // namespace

int main() try {
  dy::client c;  // from the environment
  std::string name = "app-" + std::to_string(std::random_device{}() % 100000);
  dy::table<app::Entity> entities{c, name};
  dy::table<app::Customer> customers{c, name};
  dy::table<app::Order> orders{c, name};
  dy::table<app::Product> products{c, name};

  std::cout << "== create_table from the base: keys, every subtype's GSI, TTL\n";
  entities.create_table();
  for (const auto& g : entities.table_definition().global_secondary_indexes)
    std::cout << "GSI " << g.index_name << "\n";

  std::cout << "\n== save subtypes: the tag is written for you\n";
  app::Customer ada{.pk = "CUSTOMER#ada", .sk = "PROFILE", .name = "Ada", .email = "ada@example.com", .version = 0};
  customers.save(ada);
  for (int i = 1; i <= 3; ++i) {
    orders.save(app::Order{.pk = "CUSTOMER#ada",
                           .sk = "ORDER#00" + std::to_string(i),
                           .total = dy::decimal(10 * i),
                           .status = app::OrderStatus::pending,
                           .lines = {"book"},
                           .expires_at = dy::now() + std::chrono::hours(24 * 365)});
  }
  app::Product lamp =
      products.save(app::Product{.pk = "PRODUCT", .sk = {}, .name = "Lamp", .price = dy::decimal("19.90"), .stock = 4});
  std::cout << "stored: " << dy::to_dynamodb_json(ada) << "\n";
  std::cout << "product key (auto-UUID): " << lamp.sk << "\n";

  std::cout << "\n== one query on the base: the customer and its orders, as std::variant\n";
  for (const auto& e : entities.query("CUSTOMER#ada")) std::cout << "  " << describe(e) << "\n";

  std::cout << "\n== reads through a subtype narrow to it\n";
  std::cout << "orders.query(\"CUSTOMER#ada\"): " << orders.query("CUSTOMER#ada").all().size() << " orders\n";
  std::cout << "orders over 15: " << orders.query("CUSTOMER#ada").filter(dy::attr(&app::Order::total) > 15).count()
            << "\n";
  try {
    (void)customers.get("CUSTOMER#ada", "ORDER#001");
  } catch (const dy::wrong_subtype& e) {
    std::cout << "customers.get on an order's key: wrong_subtype (" << e.what() << ")\n";
  }

  std::cout << "\n== updates, GSIs, batches and transactions on subtypes\n";
  orders.update("CUSTOMER#ada", "ORDER#001").set(&app::Order::status, app::OrderStatus::shipped).execute();
  auto shipped = orders.query_index<"by_status">(app::OrderStatus::shipped).all();
  std::cout << "shipped (GSI by_status): " << shipped.size() << " " << shipped.at(0).sk << "\n";
  try {
    customers.update("CUSTOMER#ada", "ORDER#002").set(&app::Customer::name, "x").execute();
  } catch (const dy::wrong_subtype&) {
    std::cout << "customers.update on an order's key: wrong_subtype, the order is untouched\n";
  }
  std::vector<app::Order> more;
  for (int i = 4; i <= 30; ++i) {
    more.push_back(app::Order{.pk = "CUSTOMER#ada",
                              .sk = "ORDER#0" + std::to_string(i),
                              .total = dy::decimal(i),
                              .status = app::OrderStatus::pending,
                              .lines = {},
                              .expires_at = {}});
  }
  orders.batch_save(more);
  {
    dy::multi_writer w(c);  // one writer for several subtypes (or tables): 25 per request, in the background
    w.save(
        dy::ignore_versions, customers,
        app::Customer{.pk = "CUSTOMER#bob", .sk = "PROFILE", .name = "Bob", .email = "bob@example.com", .version = 0});
    w.save(orders, app::Order{.pk = "CUSTOMER#bob",
                              .sk = "ORDER#001",
                              .total = dy::decimal(5),
                              .status = app::OrderStatus::pending,
                              .lines = {},
                              .expires_at = {}});
  }
  std::cout << "multi_writer: bob has " << entities.query("CUSTOMER#bob").count() << " items\n";
  auto got = entities.batch_get({{"CUSTOMER#ada", "PROFILE"}, {"CUSTOMER#ada", "ORDER#030"}, {"PRODUCT", lamp.sk}});
  for (const auto& g : got) std::cout << "  batch_get: " << (g ? describe(*g) : "missing") << "\n";

  dy::transact_write(c, customers.tx_update({"CUSTOMER#ada", "PROFILE"}).set(&app::Customer::name, "Ada Lovelace"),
                     products.tx_update({"PRODUCT", lamp.sk}).add(&app::Product::stock, -1),
                     orders.tx_put(app::Order{.pk = "CUSTOMER#ada",
                                              .sk = "ORDER#031",
                                              .total = dy::decimal("19.90"),
                                              .status = app::OrderStatus::pending,
                                              .lines = {"Lamp"},
                                              .expires_at = {}}));
  auto [profile, order] =
      dy::transact_get(c, entities.tx_get({"CUSTOMER#ada", "PROFILE"}), orders.tx_get({"CUSTOMER#ada", "ORDER#031"}));
  std::cout << "transact_get: " << describe(*profile) << "; order total " << order->total.text() << "\n";

  std::cout << "\n== pages through the base\n";
  std::string cursor;
  int pages = 0;
  std::size_t items = 0;
  do {
    auto p = entities.query("CUSTOMER#ada").limit(10).page(cursor);
    items += p.items.size();
    cursor = p.cursor;
    ++pages;
  } while (!cursor.empty());
  std::cout << items << " items in " << pages << " pages of 10\n";

  std::cout << "\n== an item with a tag no subtype has: a typed error, not a base object\n";
  dy::ops::put_item(c, {.table_name = name,
                        .item = {{"pk", dy::attribute_value::string("GIFT#1")},
                                 {"sk", dy::attribute_value::string("CARD")},
                                 {"entity_type", dy::attribute_value::string("GIFT_CARD")}}});
  try {
    (void)entities.get("GIFT#1", "CARD");
  } catch (const dy::unknown_discriminator& e) {
    std::cout << "unknown_discriminator: tag '" << e.tag() << "'\n";
  }

  entities.delete_table();
  return 0;
} catch (const std::exception& e) {
  std::cerr << "single-table example failed: " << e.what() << "\n";
  return 1;
}
