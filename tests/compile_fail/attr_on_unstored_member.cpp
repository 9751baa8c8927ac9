// EXPECT: dynantic: the model stores no such member
#include <dynantic/dynantic.hpp>

struct Thing {
  std::string id;
  int cached_score = 0;  // computed, not stored
};
DYNANTIC_MODEL(Thing, "things", key(id), skip(cached_score))

auto condition() {
#if DYNANTIC_FAIL
  return dynantic::attr(&Thing::cached_score) > 3;
#else
  return dynantic::attr(&Thing::id) == "a";
#endif
}
