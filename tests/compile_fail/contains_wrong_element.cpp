// EXPECT: dynantic: contains\(\) needs a value of the set's or list's element type
#include "expr_models.hpp"

void use(const dynantic::table<cf::User>& users, const dynantic::table<cf::Tag>& tags) {
  using dynantic::attr;
  (void)users;
  (void)tags;
#if DYNANTIC_FAIL
  (void)attr(&cf::User::tags).contains(5);
#else
  (void)attr(&cf::User::tags).contains("vip");
#endif
}
