// EXPECT: dynantic: ttl needs a dy::timestamp or integer \(epoch seconds\) member
#include <dynantic/dynantic.hpp>

struct Thing {
  std::string id;
  std::string expires;
  dynantic::timestamp expires_at{};
};
#if DYNANTIC_FAIL
DYNANTIC_MODEL(Thing, "things", key(id), ttl(expires), field(expires_at))
#else
DYNANTIC_MODEL(Thing, "things", key(id), field(expires), ttl(expires_at))
#endif
