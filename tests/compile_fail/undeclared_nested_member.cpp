// EXPECT: dynantic: the struct has a member that the declaration neither maps nor skips
#include <dynantic/dynantic.hpp>

struct Address {
  std::string city;
  std::string zip;
};
#if DYNANTIC_FAIL
DYNANTIC_STRUCT(Address, field(city))
#else
DYNANTIC_STRUCT(Address, field(city), field(zip))
#endif
