// EXPECT: dynantic: write subtypes \(table<Subtype>\), not the polymorphic base
#include "polymorphic_models.hpp"

DYNANTIC_SUBTYPES(Entity, Customer)

void save(const dynantic::client& c) {
#if DYNANTIC_FAIL
  dynantic::table<Entity>(c).save(Entity{.pk = "x", .kind = "CUSTOMER"});
#else
  dynantic::table<Customer>(c).save(Customer{.pk = "x", .name = "n"});
#endif
}
