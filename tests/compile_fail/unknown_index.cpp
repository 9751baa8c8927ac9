// EXPECT: dynantic: the model declares no index of this name \(gsi_key or lsi_sort_key\)
#include "index_models.hpp"

void use(const dynantic::table<cfi::Order>& orders) {
#if DYNANTIC_FAIL
  (void)orders.query_index<"by_state">(cfi::Status::open);
#else
  (void)orders.query_index<"by_status">(cfi::Status::open);
#endif
}
