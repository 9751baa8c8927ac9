// EXPECT: dynantic: add\(\) needs a number or set attribute
#include "expr_models.hpp"

void use(const dynantic::table<cf::User>& users, const dynantic::table<cf::Tag>& tags) {
  using dynantic::attr;
  (void)users;
  (void)tags;
#if DYNANTIC_FAIL
  (void)users.update("u", "e").add(&cf::User::name, 1);
#else
  (void)users.update("u", "e").add(&cf::User::age, 1);
#endif
}
