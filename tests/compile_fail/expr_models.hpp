// Models shared by the expression compile-fail cases.
#pragma once
#include <dynantic/dynantic.hpp>

namespace cf {
struct User {
  std::string user_id;
  std::string email;
  std::string name;
  std::optional<int> age;
  std::set<std::string> tags;
  std::int64_t version = 0;
};
DYNANTIC_MODEL(User, "users", key(user_id), sort_key(email), field(name), field(age), field(tags), version(version))

struct Tag {
  std::string id;
  int uses = 0;
};
DYNANTIC_MODEL(Tag, "tags", key(id), field(uses))
}  // namespace cf
