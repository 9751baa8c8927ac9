// EXPECT: dynantic: begins_with needs a string, binary or time attribute
#include "expr_models.hpp"

void use(const dynantic::table<cf::User>& users, const dynantic::table<cf::Tag>& tags) {
  using dynantic::attr;
  (void)users;
  (void)tags;
#if DYNANTIC_FAIL
  (void)attr(&cf::User::age).begins_with("1");
#else
  (void)attr(&cf::User::name).begins_with("1");
#endif
}
