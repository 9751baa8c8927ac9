// EXPECT: dynantic: a key has no default: every stored item has its key attributes
#include <dynantic/dynantic.hpp>

struct Counter {
  std::string id;
  int count = 0;
};
#if DYNANTIC_FAIL
DYNANTIC_MODEL(Counter, "counters", key(id, default_value("x")), field(count, default_value(0)))
#else
DYNANTIC_MODEL(Counter, "counters", key(id), field(count, default_value(0)))
#endif
