// EXPECT: dynantic: a model needs a partition key: add key\(member\)
#include <dynantic/dynantic.hpp>

struct Thing {
  std::string id;
  std::string name;
};
#if DYNANTIC_FAIL
DYNANTIC_MODEL(Thing, "things", field(id), field(name))
#else
DYNANTIC_MODEL(Thing, "things", key(id), field(name))
#endif

// Used through table<M>, the declaration's message stays the only error.
bool found(const dynantic::client& c) { return dynantic::table<Thing>(c).get("x").has_value(); }
