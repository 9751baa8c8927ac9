// EXPECT: dynantic: a subtype must not declare the discriminator attribute: saving writes its tag
#include "polymorphic_models.hpp"

struct Tagged {
  std::string pk{};
  std::string kind{};
};
#if DYNANTIC_FAIL
DYNANTIC_SUBTYPE(Tagged, Entity, "TAGGED", key(pk), field(kind))
#else
DYNANTIC_SUBTYPE(Tagged, Entity, "TAGGED", key(pk), field(kind, stored_as("tagged_kind")))
#endif
