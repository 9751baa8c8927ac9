// EXPECT: dynantic: get\(\) takes this table.s key
// A number where the model's partition key is a string does not compile.
#include <dynantic/dynantic.hpp>

struct Thing {
  std::string id;
  std::string sk;
};
DYNANTIC_MODEL(Thing, "things", key(id), sort_key(sk))

void use(const dynantic::table<Thing>& t) {
#if DYNANTIC_FAIL
  (void)t.get(42, "x");
#else
  (void)t.get("42", "x");
#endif
}
