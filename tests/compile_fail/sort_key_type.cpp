// EXPECT: dynantic: the value's type does not match the sort key's type
#include "expr_models.hpp"

void use(const dynantic::table<cf::User>& users, const dynantic::table<cf::Tag>& tags) {
  using dynantic::attr;
  (void)users;
  (void)tags;
#if DYNANTIC_FAIL
  (void)users.query("u").eq(5);
#else
  (void)users.query("u").eq("5");
#endif
}
