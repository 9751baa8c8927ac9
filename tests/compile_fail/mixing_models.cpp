// EXPECT: dynantic: these conditions are on different models
#include "expr_models.hpp"

void use(const dynantic::table<cf::User>& users, const dynantic::table<cf::Tag>& tags) {
  using dynantic::attr;
  (void)users;
  (void)tags;
#if DYNANTIC_FAIL
  (void)(attr(&cf::User::age) > 1 && attr(&cf::Tag::uses) > 2);
#else
  (void)(attr(&cf::User::age) > 1 && attr(&cf::User::name) == "x");
#endif
}
