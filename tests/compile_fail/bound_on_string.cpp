// EXPECT: dynantic: ge/gt/le/lt need a number, dy::decimal or dy::timestamp member
#include <dynantic/dynantic.hpp>

struct Thing {
  std::string id;
  std::string name;
};
#if DYNANTIC_FAIL
DYNANTIC_MODEL(Thing, "things", key(id), field(name, ge(0)))
#else
DYNANTIC_MODEL(Thing, "things", key(id), field(name, min_length(1)))
#endif
