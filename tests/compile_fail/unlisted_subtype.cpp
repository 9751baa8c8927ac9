// EXPECT: dynantic: every type in DYNANTIC_SUBTYPES\(Base, ...\) must be declared with DYNANTIC_SUBTYPE\(Type, Base,
// ...\)
#include "polymorphic_models.hpp"

struct Plain {
  std::string pk{};
};
DYNANTIC_MODEL(Plain, "plain", key(pk))
#if DYNANTIC_FAIL
DYNANTIC_SUBTYPES(Entity, Customer, Plain)
#else
DYNANTIC_SUBTYPES(Entity, Customer)
#endif
