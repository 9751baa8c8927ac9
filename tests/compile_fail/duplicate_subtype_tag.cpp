// EXPECT: dynantic: two subtypes of one base have the same tag
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
DYNANTIC_SUBTYPE(Customer, Entity, "CUSTOMER", key(pk), sort_key(sk), field(name))
struct Order {
  std::string pk{};
  std::string sk{};
  int total = 0;
};
#if DYNANTIC_FAIL
DYNANTIC_SUBTYPE(Order, Entity, "CUSTOMER", key(pk), sort_key(sk), field(total))
#else
DYNANTIC_SUBTYPE(Order, Entity, "ORDER", key(pk), sort_key(sk), field(total))
#endif
DYNANTIC_SUBTYPES(Entity, Customer, Order)
