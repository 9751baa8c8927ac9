// EXPECT: dynantic: a model has one partition key; use sort_key\(member\) for the second key
#include <dynantic/dynantic.hpp>

struct Thing {
  std::string id;
  std::string other;
};
#if DYNANTIC_FAIL
DYNANTIC_MODEL(Thing, "things", key(id), key(other))
#else
DYNANTIC_MODEL(Thing, "things", key(id), sort_key(other))
#endif
