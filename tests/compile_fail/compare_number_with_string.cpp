// EXPECT: dynantic: the value's type does not match the attribute's type
#include "expr_models.hpp"

void use(const dynantic::table<cf::User>& users, const dynantic::table<cf::Tag>& tags) {
  using dynantic::attr;
  (void)users;
  (void)tags;
#if DYNANTIC_FAIL
  (void)(attr(&cf::User::age) >= "x");
#else
  (void)(attr(&cf::User::age) >= 18);
#endif
}
