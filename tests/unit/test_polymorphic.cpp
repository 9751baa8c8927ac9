// Single-table polymorphism without a server: the tag on the wire, decoding through the base and through
// subtypes, the table definition of a family, and the golden request bodies of subtype reads and writes.
#include <gtest/gtest.h>

#include <dynantic/dynantic.hpp>

#include "scripted_transport.hpp"

namespace test_polymorphic {
namespace dy = dynantic;
using namespace dynantic::testing;

struct Entity {
  std::string pk{};
  std::string sk{};
  std::string kind{};
};
DYNANTIC_MODEL(Entity, "app", key(pk), sort_key(sk), discriminator(kind))

struct Customer {
  std::string pk{};
  std::string sk{};
  std::string name{};
  std::string email{};
};
DYNANTIC_SUBTYPE(Customer, Entity, "CUSTOMER", key(pk), sort_key(sk), field(name, min_length(1)),
                 field(email, gsi_key("by_email")), forbid_unknown())

struct Order {
  std::string pk{};
  std::string sk{};
  int total = 0;
  std::string status{};
  std::optional<dy::timestamp> expires_at{};
  std::int64_t version = 0;
};
DYNANTIC_SUBTYPE(Order, Entity, "ORDER", key(pk), sort_key(sk), field(total, ge(0)),
                 field(status, gsi_key("by_status")), ttl(expires_at), version(version))

DYNANTIC_SUBTYPES(Entity, Customer, Order)

// A second family that keeps unknown tags instead of failing.
struct Doc {
  std::string id{};
  std::string type{};
};
DYNANTIC_MODEL(Doc, "docs", key(id), discriminator(type))
struct Note {
  std::string id{};
  std::string text{};
};
DYNANTIC_SUBTYPE(Note, Doc, "note", key(id), field(text))
DYNANTIC_SUBTYPES(Doc, Note, dy::unknown_subtype)

static_assert(std::is_same_v<dy::result_t<Entity>, std::variant<Customer, Order>>);
static_assert(std::is_same_v<dy::result_t<Customer>, Customer>);
static_assert(std::is_same_v<dy::result_t<Doc>, std::variant<Note, dy::unknown_subtype>>);
static_assert(std::is_same_v<dy::table<Entity>::result_type, std::variant<Customer, Order>>);
static_assert(dy::table<Customer>::is_subtype && dy::table<Entity>::is_polymorphic);
static_assert(dy::table<Entity>::table_has_ttl && dy::table<Customer>::table_has_ttl && !dy::table<Customer>::has_ttl);

dy::item order_item() {
  return {{"pk", "c#1"}, {"sk", "o#1"}, {"kind", "ORDER"}, {"total", 5}, {"status", "new"}, {"version", 1}};
}

TEST(polymorphic, saving_a_subtype_writes_its_tag) {
  Customer c{.pk = "c#1", .sk = "profile", .name = "Ada", .email = "a@x"};
  EXPECT_EQ(
      dy::to_dynamodb_json(c),
      R"({"kind":{"S":"CUSTOMER"},"pk":{"S":"c#1"},"sk":{"S":"profile"},"name":{"S":"Ada"},"email":{"S":"a@x"}})");
  auto it = dy::to_item(c);
  EXPECT_EQ(it.at("kind").as_string(), "CUSTOMER");
  // both paths agree, and the tag round-trips (forbid_unknown accepts it)
  EXPECT_EQ(dy::codec::read_item(dy::to_dynamodb_json(c)), it);
  EXPECT_EQ(dy::from_item<Customer>(it).name, "Ada");
  EXPECT_EQ(dy::from_dynamodb_json<Customer>(dy::to_dynamodb_json(c)).email, "a@x");
}

TEST(polymorphic, a_subtype_does_not_decode_another_subtypes_item) {
  try {
    (void)dy::from_item<Customer>(order_item());
    FAIL() << "decoded an order as a customer";
  } catch (const dy::validation_error& e) {
    bool tag_issue = false;
    for (const auto& is : e.issues()) tag_issue |= is.path == "kind" && is.message.find("'ORDER'") != std::string::npos;
    EXPECT_TRUE(tag_issue) << e.what();
  }
  auto json = dy::codec::write_item(order_item());
  EXPECT_THROW((void)dy::from_dynamodb_json<Customer>(json), dy::validation_error);
  dy::item untagged = order_item();
  untagged.erase("kind");
  EXPECT_THROW((void)dy::from_item<Order>(untagged), dy::validation_error);
}

TEST(polymorphic, reading_through_the_base_gives_the_tagged_subtype) {
  auto v = dy::detail::decode_stored<Entity>(order_item());
  ASSERT_TRUE(std::holds_alternative<Order>(v));
  EXPECT_EQ(std::get<Order>(v).total, 5);
  std::string seen = std::visit(dy::overloaded{[](const Customer& c) { return "customer " + c.name; },
                                               [](const Order& o) { return "order " + o.sk; }},
                                dy::detail::decode_stored<Entity>(dy::to_item(Customer{"c#1", "p", "Ada", "a@x"})));
  EXPECT_EQ(seen, "customer Ada");
}

TEST(polymorphic, unknown_or_missing_tags_are_typed_errors_unless_the_base_keeps_them) {
  dy::item gift = {{"pk", "g#1"}, {"sk", "card"}, {"kind", "GIFT"}};
  try {
    (void)dy::detail::decode_stored<Entity>(gift);
    FAIL();
  } catch (const dy::unknown_discriminator& e) {
    EXPECT_EQ(e.tag(), "GIFT");
    EXPECT_EQ(e.stored_item(), gift);
  }
  gift.erase("kind");
  try {
    (void)dy::detail::decode_stored<Entity>(gift);
    FAIL();
  } catch (const dy::unknown_discriminator& e) {
    EXPECT_EQ(e.tag(), "");
  }
  auto kept = dy::detail::decode_stored<Doc>({{"id", "d"}, {"type", "image"}, {"w", 3}});
  ASSERT_TRUE(std::holds_alternative<dy::unknown_subtype>(kept));
  EXPECT_EQ(std::get<dy::unknown_subtype>(kept).tag, "image");
  EXPECT_EQ(std::get<dy::unknown_subtype>(kept).attributes.at("w").as_number_text(), "3");
  auto note = dy::detail::decode_stored<Doc>({{"id", "d"}, {"type", "note"}, {"text", "hi"}});
  EXPECT_EQ(std::get<Note>(note).text, "hi");
}

TEST(polymorphic, reading_through_a_subtype_checks_the_tag) {
  try {
    (void)dy::detail::decode_stored<Customer>(order_item());
    FAIL();
  } catch (const dy::wrong_subtype& e) {
    EXPECT_EQ(e.expected_tag(), "CUSTOMER");
    EXPECT_EQ(e.found_tag(), "ORDER");
  }
  EXPECT_EQ(dy::detail::decode_stored<Order>(order_item()).status, "new");
}

TEST(polymorphic, the_table_of_a_family_has_every_subtypes_indexes_and_one_ttl) {
  scripted_transport* t = nullptr;
  dy::client c = scripted_client([](const recorded_request&, std::size_t) { return ok(); }, t);
  for (auto def : {dy::table<Entity>(c).table_definition(), dy::table<Customer>(c).table_definition()}) {
    ASSERT_EQ(def.global_secondary_indexes.size(), 2u);
    EXPECT_EQ(def.global_secondary_indexes[0].index_name, "by_email");
    EXPECT_EQ(def.global_secondary_indexes[1].index_name, "by_status");
    EXPECT_EQ(def.table_name, "app");
  }
}

struct capture {
  scripted_transport* t = nullptr;
  std::string answer = "{}";
  dy::client c = scripted_client([this](const recorded_request&, std::size_t) { return ok(answer); }, t);
  const recorded_request& last() const { return t->requests.back(); }
};

TEST(polymorphic, subtype_queries_filter_on_the_tag) {
  capture cap;
  cap.answer = R"({"Items":[],"Count":0})";
  (void)dy::table<Order>(cap.c).query("c#1").filter(dy::attr(&Order::total) > 3).all();
  EXPECT_EQ(
      cap.last().body,
      R"j({"TableName":"app","KeyConditionExpression":"#n0 = :v0","FilterExpression":"#n1 = :v1 AND (#n2 > :v2)",)j"
      R"("ExpressionAttributeNames":{"#n0":"pk","#n1":"kind","#n2":"total"},)"
      R"("ExpressionAttributeValues":{":v0":{"S":"c#1"},":v1":{"S":"ORDER"},":v2":{"N":"3"}}})");
  (void)dy::table<Entity>(cap.c).query("c#1").all();  // the base reads every subtype
  EXPECT_EQ(cap.last().body,
            R"({"TableName":"app","KeyConditionExpression":"#n0 = :v0",)"
            R"("ExpressionAttributeNames":{"#n0":"pk"},"ExpressionAttributeValues":{":v0":{"S":"c#1"}}})");
}

TEST(polymorphic, subtype_updates_write_the_tag_and_touch_only_their_subtype) {
  capture cap;
  // update(): the item exists and is a Customer (the tag is already there)
  dy::table<Customer>(cap.c).update("c#1", "p").set(&Customer::name, "Ada").execute();
  EXPECT_EQ(cap.last().body,
            R"({"TableName":"app","Key":{"pk":{"S":"c#1"},"sk":{"S":"p"}},"UpdateExpression":"SET #n1 = :v1",)"
            R"("ConditionExpression":"#n0 = :v0",)"
            R"("ExpressionAttributeNames":{"#n0":"kind","#n1":"name"},)"
            R"("ExpressionAttributeValues":{":v0":{"S":"CUSTOMER"},":v1":{"S":"Ada"}},)"
            R"("ReturnValuesOnConditionCheckFailure":"ALL_OLD"})");
  // upsert(): absent or a Customer; the tag is written
  dy::table<Customer>(cap.c).upsert("c#1", "p").set(&Customer::name, "Ada").set(&Customer::email, "a@x").execute();
  EXPECT_EQ(cap.last().body,
            R"({"TableName":"app","Key":{"pk":{"S":"c#1"},"sk":{"S":"p"}},)"
            R"("UpdateExpression":"SET #n2 = :v1, #n3 = :v2, #n1 = :v3",)"
            R"j("ConditionExpression":"attribute_not_exists(#n0) OR #n1 = :v0",)j"
            R"("ExpressionAttributeNames":{"#n0":"pk","#n1":"kind","#n2":"name","#n3":"email"},)"
            R"("ExpressionAttributeValues":{":v0":{"S":"CUSTOMER"},":v1":{"S":"Ada"},":v2":{"S":"a@x"},)"
            R"(":v3":{"S":"CUSTOMER"}},"ReturnValuesOnConditionCheckFailure":"ALL_OLD"})");
  // an upsert that leaves a required member unset could create an unreadable item: refused, nothing sent
  const std::size_t sent = cap.t->requests.size();
  try {
    dy::table<Customer>(cap.c).upsert("c#1", "p").set(&Customer::name, "Ada").execute();
    FAIL() << "an upsert without email was sent";
  } catch (const dy::validation_error& e) {
    ASSERT_EQ(e.issues().size(), 1u);
    EXPECT_EQ(e.issues()[0].path, "email");
  }
  EXPECT_EQ(cap.t->requests.size(), sent);
  dy::table<Customer>(cap.c).delete_item("c#1", "p");
  EXPECT_EQ(
      cap.last().body,
      R"({"TableName":"app","Key":{"pk":{"S":"c#1"},"sk":{"S":"p"}},)"
      R"j("ConditionExpression":"attribute_not_exists(#dy_pk) OR #dy_t = :dy_t",)j"
      R"("ExpressionAttributeNames":{"#dy_pk":"pk","#dy_t":"kind"},"ExpressionAttributeValues":{":dy_t":{"S":"CUSTOMER"}},)"
      R"("ReturnValuesOnConditionCheckFailure":"ALL_OLD"})");
}

TEST(polymorphic, a_guarded_write_that_meets_another_subtype_is_wrong_subtype) {
  scripted_transport* t = nullptr;
  dy::client c = scripted_client(
      [](const recorded_request&, std::size_t) {
        return aws_error(400, "ConditionalCheckFailedException",
                         R"(,"Item":{"pk":{"S":"c#1"},"sk":{"S":"o#1"},"kind":{"S":"ORDER"}})");
      },
      t);
  try {
    dy::table<Customer>(c).update("c#1", "o#1").set(&Customer::name, "x").execute();
    FAIL();
  } catch (const dy::wrong_subtype& e) {
    EXPECT_EQ(e.found_tag(), "ORDER");
    EXPECT_EQ(e.table(), "app");
    EXPECT_EQ(e.key(), (dy::item{{"pk", "c#1"}, {"sk", "o#1"}}));
  }
}

}  // namespace test_polymorphic
