// EXPECT: dynantic: the filter is on another model
#include "expr_models.hpp"

void use(const dynantic::table<cf::User>& users, const dynantic::table<cf::Tag>& tags) {
  using dynantic::attr;
  (void)users;
  (void)tags;
#if DYNANTIC_FAIL
  (void)users.query("u").filter(attr(&cf::Tag::uses) > 1);
#else
  (void)users.query("u").filter(attr(&cf::User::age) > 1);
#endif
}
