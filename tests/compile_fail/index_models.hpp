// Models shared by the index compile-fail cases.
#pragma once
#include <dynantic/dynantic.hpp>

namespace cfi {
enum class Status { open, shipped };
DYNANTIC_ENUM(Status, (open, "open"), (shipped, "shipped"))

struct Order {
  std::string customer;
  std::string order_id;
  Status status{};
  std::int64_t total = 0;
};
DYNANTIC_MODEL(Order, "orders", key(customer), sort_key(order_id), field(status, gsi_key("by_status")),
               field(total, gsi_sort_key("by_status")))
}  // namespace cfi
