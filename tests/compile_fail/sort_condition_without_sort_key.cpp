// EXPECT: dynantic: this table has no sort key
#include "expr_models.hpp"

void use(const dynantic::table<cf::User>& users, const dynantic::table<cf::Tag>& tags) {
  using dynantic::attr;
  (void)users;
  (void)tags;
#if DYNANTIC_FAIL
  (void)tags.query("x").eq("y");
#else
  (void)tags.query("x").limit(1);
#endif
}
