// EXPECT: dynantic: a subtype must declare the base's sort key: sort_key\(member\) with the same attribute name and
// type
#include "polymorphic_models.hpp"

struct Post {
  std::string pk{};
  std::string sk{};
  std::string text{};
};
#if DYNANTIC_FAIL
DYNANTIC_SUBTYPE(Post, Thread, "POST", key(pk), field(sk), field(text))
#else
DYNANTIC_SUBTYPE(Post, Thread, "POST", key(pk), sort_key(sk), field(text))
#endif
