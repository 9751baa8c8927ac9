// EXPECT: dynantic: a subtype must declare the base's partition key: key\(member\) with the same attribute name and
// type
#include <dynantic/dynantic.hpp>

struct Entity {
  std::string pk{};
  std::string kind{};
};
DYNANTIC_MODEL(Entity, "app", key(pk), discriminator(kind))
struct Counter {
#if DYNANTIC_FAIL
  std::int64_t pk = 0;
#else
  std::string pk{};
#endif
  int n = 0;
};
DYNANTIC_SUBTYPE(Counter, Entity, "COUNTER", key(pk), field(n))
