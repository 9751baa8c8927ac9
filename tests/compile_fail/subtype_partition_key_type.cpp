// EXPECT: dynantic: a subtype must declare the base's partition key: key\(member\) with the same attribute name and
// type
#include "polymorphic_models.hpp"

struct Counter {
#if DYNANTIC_FAIL
  std::int64_t pk = 0;
#else
  std::string pk{};
#endif
  int n = 0;
};
DYNANTIC_SUBTYPE(Counter, Entity, "COUNTER", key(pk), field(n))
