// EXPECT: dynantic: '<' needs a number, string or binary attribute; for sets, lists and maps use contains\(\) or
// size\(\)
#include "expr_models.hpp"

void use(const dynantic::table<cf::User>& users, const dynantic::table<cf::Tag>& tags) {
  using dynantic::attr;
  (void)users;
  (void)tags;
#if DYNANTIC_FAIL
  (void)(attr(&cf::User::tags) < 3);
#else
  (void)(attr(&cf::User::tags).size() < 3);
#endif
}
