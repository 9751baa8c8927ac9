// EXPECT: dynantic: a key must be stored as a string, number or binary \(not optional, bool or a container\)
#include <dynantic/dynantic.hpp>

struct Thing {
  std::optional<std::string> id;
  std::string name;
};
#if DYNANTIC_FAIL
DYNANTIC_MODEL(Thing, "things", key(id), field(name))
#else
DYNANTIC_MODEL(Thing, "things", key(name), field(id))
#endif
