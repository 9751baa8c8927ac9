// EXPECT: dynantic: a subtype must declare the base's sort key: sort_key\(member\) with the same attribute name and
// type
#include <dynantic/dynantic.hpp>

struct Entity {
  std::string pk{};
  std::string sk{};
  std::string kind{};
};
DYNANTIC_MODEL(Entity, "app", key(pk), sort_key(sk), discriminator(kind))
struct Customer {
  std::string pk{};
  std::string sk{};
  std::string name{};
};
#if DYNANTIC_FAIL
DYNANTIC_SUBTYPE(Customer, Entity, "CUSTOMER", key(pk), field(sk), field(name))
#else
DYNANTIC_SUBTYPE(Customer, Entity, "CUSTOMER", key(pk), sort_key(sk), field(name))
#endif
