// EXPECT: dynantic: a table name is 3 to 255 characters of A-Z a-z 0-9 _ \. -
#include <dynantic/dynantic.hpp>

struct Thing {
  std::string id;
};
#if DYNANTIC_FAIL
DYNANTIC_MODEL(Thing, "my things", key(id))
#else
DYNANTIC_MODEL(Thing, "my_things", key(id))
#endif
