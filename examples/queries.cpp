// Typed conditions, atomic updates, queries, GSIs and pagination. Run by scripts/demo against DynamoDB Local.
#include <iostream>
#include <random>

#include <dynantic/dynantic.hpp>

namespace dy = dynantic;
using dy::attr;

namespace shop {
enum class Status { open, shipped, cancelled };
DYNANTIC_ENUM(Status, (open, "open"), (shipped, "shipped"), (cancelled, "cancelled"))

struct Order {
  std::string customer;
  std::string order_id;  // sort key: "o-0001", ...
  Status status{};
  dy::decimal total;
  std::set<std::string> labels;
  std::vector<std::string> events;
  std::optional<std::string> note;
  std::int64_t version = 0;
};
DYNANTIC_MODEL(Order, "orders", key(customer), sort_key(order_id), field(status, gsi_key("by_status")),
               field(total, ge(0), gsi_sort_key("by_status")), field(labels), field(events), field(note),
               version(version))
}  // namespace shop

int main() try {
  using shop::Order;
  using shop::Status;
  dy::client client;
  dy::table<Order> orders{client, "orders-" + std::to_string(std::random_device{}() % 100000)};
  orders.create_table();

  std::cout << "== 25 orders for two customers\n";
  for (int i = 0; i < 25; ++i) {
    char id[16];
    std::snprintf(id, sizeof id, "o-%04d", i);
    orders.save(Order{.customer = i < 20 ? "ada" : "bob",
                      .order_id = id,
                      .status = i % 5 == 0 ? Status::cancelled : (i % 2 ? Status::shipped : Status::open),
                      .total = dy::decimal(10 * i + 5),
                      .labels = {},
                      .events = {"created"},
                      .note = {},
                      .version = 0});
  }

  std::cout << "\n== conditional write: cancel o-0002 only while it is open\n";
  orders.update("ada", "o-0002")
      .set(&Order::status, Status::cancelled)
      .append(&Order::events, std::vector<std::string>{"cancelled"})
      .condition(attr(&Order::status) == Status::open)
      .execute();
  try {
    orders.update("ada", "o-0002")
        .set(&Order::status, Status::shipped)
        .condition(attr(&Order::status) == Status::open)
        .execute();
  } catch (const dy::conditional_check_failed_for<Order>& e) {
    std::cout << "second try refused; stored status is cancelled, events: " << e.old_model()->events.size() << "\n";
  }

  std::cout << "\n== atomic update returning the new item\n";
  auto updated = orders.update("ada", "o-0004")
                     .add(&Order::total, dy::decimal("0.99"))
                     .add(&Order::labels, {"gift", "express"})
                     .set(&Order::note, std::string("leave at the door"))
                     .return_values(dy::ops::return_values::all_new)
                     .execute()
                     .model();
  std::cout << "total " << updated->total.text() << ", labels " << updated->labels.size() << ", version "
            << updated->version << "\n";

  std::cout << "\n== query: ada's orders from o-0010, shipped, over 100\n";
  for (const Order& o :
       orders.query("ada").ge("o-0010").filter(attr(&Order::status) == Status::shipped && attr(&Order::total) > 100)) {
    std::cout << "  " << o.order_id << " " << o.total.text() << "\n";
  }
  std::cout << "count of ada's orders: " << orders.query("ada").count() << "\n";
  std::cout << "latest: " << orders.query("ada").reverse().first()->order_id << "\n";
  std::cout << "exactly one o-0007: " << orders.query("ada").eq("o-0007").one().order_id << "\n";

  std::cout << "\n== GSI by_status: cancelled orders, largest first, as (customer, order_id, total) tuples\n";
  for (const auto& [customer, id, total] : orders.query_index<"by_status">(Status::cancelled)
                                               .reverse()
                                               .values(&Order::customer, &Order::order_id, &Order::total)) {
    std::cout << "  " << customer << " " << id << " " << total.text() << "\n";
  }

  std::cout << "\n== pagination: 6 per page, signed cursors\n";
  auto q = orders.query("ada").limit(6).cursor_key("demo-secret");
  std::string cursor;
  int page_no = 0;
  do {
    auto p = q.page(cursor);
    std::cout << "page " << ++page_no << ": " << p.items.front().order_id << " .. " << p.items.back().order_id
              << (p.has_more() ? " (more)" : " (end)") << "\n";
    cursor = p.cursor;
  } while (!cursor.empty());
  try {
    q.page("c1.forged");
  } catch (const dy::invalid_cursor& e) {
    std::cout << e.what() << "\n";
  }

  std::cout << "\n== parallel scan, 4 segments\n";
  std::size_t seen = 0;
  orders.scan().parallel(4, [&](std::vector<Order>&& batch) { seen += batch.size(); });
  std::cout << seen << " orders scanned\n";

  orders.delete_table();
  return 0;
} catch (const std::exception& e) {
  std::cerr << "queries example failed: " << e.what() << "\n";
  return 1;
}
