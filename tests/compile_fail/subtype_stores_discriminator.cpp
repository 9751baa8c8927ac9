// EXPECT: dynantic: a subtype must not declare the discriminator attribute: saving writes its tag
#include <dynantic/dynantic.hpp>

struct Entity {
  std::string pk{};
  std::string kind{};
};
DYNANTIC_MODEL(Entity, "app", key(pk), discriminator(kind))
struct Customer {
  std::string pk{};
  std::string kind{};
};
#if DYNANTIC_FAIL
DYNANTIC_SUBTYPE(Customer, Entity, "CUSTOMER", key(pk), field(kind))
#else
DYNANTIC_SUBTYPE(Customer, Entity, "CUSTOMER", key(pk), field(kind, stored_as("customer_kind")))
#endif
