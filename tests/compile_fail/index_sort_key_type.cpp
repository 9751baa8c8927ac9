// EXPECT: dynantic: the value's type does not match the sort key's type
#include "index_models.hpp"

void use(const dynantic::table<cfi::Order>& orders) {
#if DYNANTIC_FAIL
  (void)orders.query_index<"by_status">(cfi::Status::shipped).gt("100");
#else
  (void)orders.query_index<"by_status">(cfi::Status::shipped).gt(100);
#endif
}
