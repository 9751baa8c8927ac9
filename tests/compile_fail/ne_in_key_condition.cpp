// EXPECT: dynantic: a key condition has no ne
#include "expr_models.hpp"

void use(const dynantic::table<cf::User>& users, const dynantic::table<cf::Tag>& tags) {
  using dynantic::attr;
  (void)users;
  (void)tags;
#if DYNANTIC_FAIL
  (void)users.query("u").ne("e");
#else
  (void)users.query("u").ge("e");
#endif
}
