// EXPECT: dynantic: write subtypes \(table<Subtype>\), not the polymorphic base
#include <dynantic/dynantic.hpp>

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
DYNANTIC_SUBTYPES(Entity, Customer)

void save(const dynantic::client& c) {
#if DYNANTIC_FAIL
  dynantic::table<Entity>(c).save(Entity{.pk = "x", .kind = "CUSTOMER"});
#else
  dynantic::table<Customer>(c).save(Customer{.pk = "x", .name = "n"});
#endif
}
