// The single-table models the compile-fail cases of subtypes share. Each case adds the subtypes and the
// DYNANTIC_SUBTYPES list it needs, with its misuse under DYNANTIC_FAIL.
#pragma once
#include <dynantic/dynantic.hpp>

// A base keyed by a partition key, and one subtype of it.
struct Entity {
  std::string pk{};
  std::string kind{};
};
DYNANTIC_MODEL(Entity, "app", key(pk), discriminator(kind))
struct Customer {
  std::string pk{};
  std::string name{};
};
DYNANTIC_SUBTYPE(Customer, Entity, "CUSTOMER", key(pk), field(name))

// A base keyed by a partition and a sort key.
struct Thread {
  std::string pk{};
  std::string sk{};
  std::string kind{};
};
DYNANTIC_MODEL(Thread, "threads", key(pk), sort_key(sk), discriminator(kind))
