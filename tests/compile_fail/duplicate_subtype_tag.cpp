// EXPECT: dynantic: two subtypes of one base have the same tag
#include "polymorphic_models.hpp"

struct Post {
  std::string pk{};
  std::string sk{};
  std::string text{};
};
DYNANTIC_SUBTYPE(Post, Thread, "POST", key(pk), sort_key(sk), field(text))
struct Reply {
  std::string pk{};
  std::string sk{};
  int votes = 0;
};
#if DYNANTIC_FAIL
DYNANTIC_SUBTYPE(Reply, Thread, "POST", key(pk), sort_key(sk), field(votes))
#else
DYNANTIC_SUBTYPE(Reply, Thread, "REPLY", key(pk), sort_key(sk), field(votes))
#endif
DYNANTIC_SUBTYPES(Thread, Post, Reply)
