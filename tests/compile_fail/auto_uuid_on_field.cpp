// EXPECT: dynantic: auto_uuid is for key or sort_key
#include <dynantic/dynantic.hpp>

struct Thing {
  std::string id;
  dynantic::uuid ref;
};
#if DYNANTIC_FAIL
DYNANTIC_MODEL(Thing, "things", key(id), field(ref, auto_uuid))
#else
DYNANTIC_MODEL(Thing, "things", key(ref, auto_uuid), field(id))
#endif
