// Typed conditions and updates rendered to golden expression strings.
#include <gtest/gtest.h>

#include <dynantic/dynantic.hpp>

namespace test_expr {
namespace dy = dynantic;
using dy::attr;
using dy::attr_named;

enum class Status { active, inactive };
DYNANTIC_ENUM(Status, (active, "active"), (inactive, "inactive"))

struct Address {
  std::string city;
  std::string zip;
};
DYNANTIC_STRUCT(Address, field(city), field(zip))

struct User {
  std::string user_id;
  std::string email;
  std::string name;
  Status status{};
  std::optional<int> age;
  dy::decimal balance;
  std::set<std::string> tags;
  std::set<std::int64_t> lucky;
  std::vector<Address> addresses;
  Address home;
  std::map<std::string, int> scores;
  std::int64_t size = 0;  // a reserved word as attribute name
  std::string dotted;
  dy::timestamp created{};
};
DYNANTIC_MODEL(User, "users", key(user_id), sort_key(email), field(name), field(status), field(age), field(balance),
               field(tags), field(lucky), field(addresses), field(home), field(scores), field(size),
               field(dotted, stored_as("a.b")), field(created))

struct rendered {
  std::string text;
  dy::ops::attribute_names names;
  dy::ops::attribute_values values;
};

template <class C>
rendered render(const C& c) {
  dy::render_context ctx;
  rendered r;
  r.text = c.render(ctx);
  r.names = ctx.names();
  r.values = ctx.values();
  return r;
}

TEST(expr, comparisons_and_placeholders) {
  auto r = render(attr(&User::age) >= 18);
  EXPECT_EQ(r.text, "#n0 >= :v0");
  EXPECT_EQ(r.names.at("#n0"), "age");
  EXPECT_EQ(r.values.at(":v0"), dy::attribute_value(18));
  EXPECT_EQ(render(attr(&User::status) == Status::active).values.at(":v0"), dy::attribute_value("active"));
  EXPECT_EQ(render(attr(&User::name) != "x").text, "#n0 <> :v0");
  EXPECT_EQ(render(attr(&User::balance) < dy::decimal("10.5")).values.at(":v0").as_number_text(), "10.5");
  EXPECT_EQ(render(attr(&User::balance) <= 3).values.at(":v0").as_number_text(), "3");
  EXPECT_EQ(render(attr(&User::name) > "m").text, "#n0 > :v0");
}

TEST(expr, reserved_and_dotted_names) {
  auto r = render(attr(&User::size) == 3 && attr(&User::dotted) == "x" && attr(&User::name).exists() &&
                  attr(&User::status) == Status::inactive);
  EXPECT_EQ(r.text, "#n0 = :v0 AND #n1 = :v1 AND attribute_exists(#n2) AND #n3 = :v2");
  EXPECT_EQ(r.names.at("#n0"), "size");
  EXPECT_EQ(r.names.at("#n1"), "a.b");
  EXPECT_EQ(r.names.at("#n3"), "status");
  EXPECT_EQ(render(attr_named("x.y").not_exists()).names.at("#n0"), "x.y");
}

TEST(expr, functions) {
  EXPECT_EQ(render(attr(&User::name).begins_with("A")).text, "begins_with(#n0, :v0)");
  EXPECT_EQ(render(attr(&User::tags).contains("vip")).text, "contains(#n0, :v0)");
  EXPECT_EQ(render(attr(&User::lucky).contains(7)).values.at(":v0"), dy::attribute_value(7));
  EXPECT_EQ(render(attr(&User::name).contains("da")).text, "contains(#n0, :v0)");
  EXPECT_EQ(render(attr(&User::age).between(18, 65)).text, "#n0 BETWEEN :v0 AND :v1");
  EXPECT_EQ(render(attr(&User::status).is_in(Status::active, Status::inactive)).text, "#n0 IN (:v0, :v1)");
  EXPECT_EQ(render(attr(&User::tags).size() > 2).text, "size(#n0) > :v0");
  EXPECT_EQ(render(attr(&User::name).attribute_type(dy::value_type::s)).text, "attribute_type(#n0, :v0)");
  EXPECT_EQ(render(attr(&User::name).attribute_type(dy::value_type::s)).values.at(":v0"), dy::attribute_value("S"));
  EXPECT_EQ(render(attr(&User::age).not_exists()).text, "attribute_not_exists(#n0)");
  EXPECT_THROW(attr(&User::age).is_in_list(std::vector<int>{}), dy::validation_error);
}

TEST(expr, nested_paths) {
  EXPECT_EQ(render(attr(&User::home).at(&Address::city) == "Bern").text, "#n0.#n1 = :v0");
  auto r = render(attr(&User::addresses)[2].at(&Address::zip).exists());
  EXPECT_EQ(r.text, "attribute_exists(#n0[2].#n1)");
  EXPECT_EQ(r.names.at("#n1"), "zip");
  EXPECT_EQ(render(attr(&User::scores)["math"] > 90).text, "#n0.#n1 > :v0");
}

TEST(expr, and_or_not_are_parenthesized_only_where_needed) {
  auto a = attr(&User::age) > 1;
  auto b = attr(&User::age) < 9;
  auto c = attr(&User::name) == "x";
  EXPECT_EQ(render(a && b && c).text, "#n0 > :v0 AND #n0 < :v1 AND #n1 = :v2");
  EXPECT_EQ(render((a || b) && c).text, "(#n0 > :v0 OR #n0 < :v1) AND #n1 = :v2");
  EXPECT_EQ(render(a || (b && c)).text, "#n0 > :v0 OR (#n0 < :v1 AND #n1 = :v2)");
  EXPECT_EQ(render(!(a && c)).text, "NOT (#n0 > :v0 AND #n1 = :v1)");
  // mixing with untyped conditions
  EXPECT_EQ(render(a && attr_named("legacy").exists()).text, "#n0 > :v0 AND attribute_exists(#n1)");
}

TEST(expr, five_term_condition_golden) {
  auto c = attr(&User::age) >= 18 && attr(&User::status) == Status::active && attr(&User::name).begins_with("A") &&
           attr(&User::tags).contains("vip") && attr(&User::balance).between(0, 100);
  auto r = render(c);
  EXPECT_EQ(r.text,
            "#n0 >= :v0 AND #n1 = :v1 AND begins_with(#n2, :v2) AND contains(#n3, :v3) AND #n4 BETWEEN :v4 AND :v5");
  EXPECT_EQ(r.names.size(), 5u);
  EXPECT_EQ(r.values.size(), 6u);
}

TEST(expr, update_clauses) {
  dy::update_expression<User> u;
  u.set(&User::name, "Ada")
      .set(&User::age, attr(&User::age) + 1)
      .set_if_not_exists(&User::status, Status::active)
      .remove(&User::dotted)
      .add(&User::balance, dy::decimal("10.50"))
      .add(&User::tags, {"vip"})
      .delete_elements(&User::lucky, {7})
      .append(&User::addresses, std::vector<Address>{{"Bern", "3000"}})
      .prepend(attr(&User::addresses), std::vector<Address>{{"Zug", "6300"}});
  auto r = render(u);
  // names and values are numbered in the order the actions were given; clauses are grouped by kind
  EXPECT_EQ(r.text,
            "SET #n0 = :v0, #n1 = #n1 + :v1, #n2 = if_not_exists(#n2, :v2), #n7 = list_append(#n7, :v6), "
            "#n7 = list_append(:v7, #n7) REMOVE #n3 ADD #n4 :v3, #n5 :v4 DELETE #n6 :v5");
  EXPECT_EQ(r.names.at("#n3"), "a.b");
  EXPECT_EQ(r.values.at(":v4"), dy::attribute_value::string_set({"vip"}));
  EXPECT_EQ(r.values.at(":v5"), dy::attribute_value::number_set({"7"}));
  EXPECT_EQ(r.values.at(":v3").as_number_text(), "10.50");
  EXPECT_TRUE(r.values.at(":v6").is_list());
}

TEST(expr, update_optional_and_nested) {
  dy::update_expression<User> u;
  u.set(&User::age, std::optional<int>{}).set(attr(&User::home).at(&Address::city), "Bern");
  EXPECT_EQ(render(u).text, "SET #n1.#n2 = :v0 REMOVE #n0");  // the empty optional became REMOVE
  dy::update_expression<User> empty;
  EXPECT_THROW(render(empty), dy::validation_error);
}

struct Partial {
  std::string id;
  std::string note;  // skipped: not stored, though a stored member has its type
};
DYNANTIC_MODEL(Partial, "partial", key(id), skip(note))

TEST(expr, skipped_members_are_an_error_naming_the_cause) {
  try {
    (void)attr(&Partial::note);
    FAIL() << "attr() of a skipped member did not throw";
  } catch (const dy::error& e) {
    EXPECT_NE(std::string(e.what()).find("skip()ped"), std::string::npos) << e.what();
  }
  EXPECT_NO_THROW(attr(&Partial::id));
}

}  // namespace test_expr
