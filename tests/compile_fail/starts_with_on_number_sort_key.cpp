// EXPECT: dynantic: starts_with needs a string, binary or time sort key
#include "index_models.hpp"

void use(const dynantic::table<cfi::Order>& orders) {
#if DYNANTIC_FAIL
  (void)orders.query_index<"by_status">(cfi::Status::open).starts_with("1");
#else
  (void)orders.query_index<"by_status">(cfi::Status::open).ge(100);
#endif
}
