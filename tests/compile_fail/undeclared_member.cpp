// EXPECT: dynantic: the struct has a member that the declaration neither maps nor skips
#include <dynantic/dynantic.hpp>

struct Thing {
  std::string id;
  std::string name;
  std::string nickname;  // forgotten: would never be stored
};
#if DYNANTIC_FAIL
DYNANTIC_MODEL(Thing, "things", key(id), field(name))
#else
DYNANTIC_MODEL(Thing, "things", key(id), field(name), skip(nickname))
#endif
