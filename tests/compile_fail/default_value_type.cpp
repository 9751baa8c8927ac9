// EXPECT: dynantic: default_value needs a value of the member's type
#include <dynantic/dynantic.hpp>

struct Counter {
  std::string id;
  int count = 0;
};
#if DYNANTIC_FAIL
DYNANTIC_MODEL(Counter, "counters", key(id), field(count, default_value("zero")))
#else
DYNANTIC_MODEL(Counter, "counters", key(id), field(count, default_value(0)))
#endif
