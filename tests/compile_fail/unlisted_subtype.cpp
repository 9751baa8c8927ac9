// EXPECT: dynantic: every type in DYNANTIC_SUBTYPES\(Base, ...\) must be declared with DYNANTIC_SUBTYPE\(Type, Base,
// ...\)
#include <dynantic/dynantic.hpp>

struct Entity {
  std::string pk{};
  std::string kind{};
};
DYNANTIC_MODEL(Entity, "app", key(pk), discriminator(kind))
struct Customer {
  std::string pk{};
  std::string name{};
};
DYNANTIC_SUBTYPE(Customer, Entity, "CUSTOMER", key(pk), field(name))
struct Plain {
  std::string pk{};
};
DYNANTIC_MODEL(Plain, "plain", key(pk))
#if DYNANTIC_FAIL
DYNANTIC_SUBTYPES(Entity, Customer, Plain)
#else
DYNANTIC_SUBTYPES(Entity, Customer)
#endif
