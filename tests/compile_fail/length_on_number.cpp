// EXPECT: dynantic: min_length/max_length need a string, container or set member
#include <dynantic/dynantic.hpp>

struct Thing {
  std::string id;
  int count = 0;
};
#if DYNANTIC_FAIL
DYNANTIC_MODEL(Thing, "things", key(id), field(count, max_length(3)))
#else
DYNANTIC_MODEL(Thing, "things", key(id), field(count, le(999)))
#endif
