// EXPECT: dynantic: pattern needs a std::string member
#include <dynantic/dynantic.hpp>

struct Thing {
  std::string id;
  int code = 0;
};
#if DYNANTIC_FAIL
DYNANTIC_MODEL(Thing, "things", key(id), field(code, pattern("[0-9]+")))
#else
DYNANTIC_MODEL(Thing, "things", key(id), field(code))
#endif
