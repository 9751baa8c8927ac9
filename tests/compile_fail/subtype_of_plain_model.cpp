// EXPECT: dynantic: the base of a DYNANTIC_SUBTYPE needs discriminator\(member\) in its DYNANTIC_MODEL
#include <dynantic/dynantic.hpp>

struct Entity {
  std::string pk{};
  std::string kind{};
};
#if DYNANTIC_FAIL
DYNANTIC_MODEL(Entity, "app", key(pk), field(kind))
#else
DYNANTIC_MODEL(Entity, "app", key(pk), discriminator(kind))
#endif
struct Customer {
  std::string pk{};
  std::string name{};
};
DYNANTIC_SUBTYPE(Customer, Entity, "CUSTOMER", key(pk), field(name))
