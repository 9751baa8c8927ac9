// The types Python Dynantic writes beyond the basics: aware datetimes with their offset, naive datetimes,
// mixed values (std::variant), exact decimal arithmetic, and time-typed sort keys queried by their text.
#include <gtest/gtest.h>

#include <dynantic/dynantic.hpp>

#include "scripted_transport.hpp"

namespace test_types {
namespace dy = dynantic;
using namespace std::chrono;
using namespace dynantic::testing;

// ---------------------------------------------------------------- datetimes

TEST(types, zoned_times_keep_their_offset) {
  const dy::timestamp instant{sys_days{2024y / May / 1} + 12h + 34min + 56s};
  dy::zoned_timestamp z(instant, 2h);
  EXPECT_EQ(dy::format_zoned(z), "2024-05-01T14:34:56+02:00");
  EXPECT_EQ(dy::format_zoned(dy::zoned_timestamp(instant + 120ms, -(5h + 30min))), "2024-05-01T07:04:56.120000-05:30");
  EXPECT_EQ(dy::format_zoned(dy::zoned_timestamp(instant)), "2024-05-01T12:34:56Z");  // as Dynantic writes UTC
  auto back = dy::parse_zoned("2024-05-01T14:34:56+02:00");
  ASSERT_TRUE(back);
  EXPECT_EQ(back->instant(), instant);
  EXPECT_EQ(back->offset(), 2h);
  EXPECT_EQ(*back, z);
  EXPECT_EQ(dy::parse_zoned("2024-05-01T12:34:56+00:00")->offset(), 0min);
  EXPECT_EQ(dy::parse_zoned("2024-05-01T12:34:56.5Z")->instant(), instant + 500ms);
  EXPECT_FALSE(dy::parse_zoned("2024-05-01T12:34:56"));  // naive: no offset to keep
  // equality is instant and offset; order is by instant first
  dy::zoned_timestamp same_instant_utc(instant);
  EXPECT_NE(z, same_instant_utc);
  EXPECT_EQ(z.instant(), same_instant_utc.instant());
  EXPECT_LT(dy::zoned_timestamp(instant - 1s, 5h), dy::zoned_timestamp(instant, -5h));
  EXPECT_THROW(dy::zoned_timestamp(instant, 24h), dy::validation_error);
}

TEST(types, naive_times_are_written_without_a_zone) {
  const dy::naive_timestamp t{local_days{2024y / May / 1} + 12h + 34min + 56s};
  EXPECT_EQ(dy::format_naive(t), "2024-05-01T12:34:56");
  EXPECT_EQ(dy::format_naive(t + 1us), "2024-05-01T12:34:56.000001");  // isoformat: six digits when not zero
  EXPECT_EQ(dy::parse_naive("2024-05-01T12:34:56"), t);
  EXPECT_EQ(dy::parse_naive("2024-05-01T12:34:56.25"), t + 250ms);
  EXPECT_FALSE(dy::parse_naive("2024-05-01T12:34:56Z"));
  EXPECT_FALSE(dy::parse_naive("2024-05-01T12:34:56+02:00"));
}

struct Event {
  std::string id;
  dy::zoned_timestamp at;
  dy::naive_timestamp local_at;
  std::optional<dy::zoned_timestamp> ended;
};
DYNANTIC_MODEL(Event, "events", key(id), field(at), field(local_at), field(ended))

// Found by fuzz/time.cpp: an offset moved the instant to year -1, which cannot be written back.
TEST(types, a_timestamp_whose_instant_leaves_years_0000_to_9999_is_refused) {
  EXPECT_FALSE(dy::parse_timestamp("0000-01-01T12:34:10+22:00"));
  EXPECT_FALSE(dy::parse_timestamp("9999-12-31T23:00:00-02:00"));
  ASSERT_TRUE(dy::parse_timestamp("0000-01-01T12:34:10+02:00"));
  EXPECT_EQ(dy::format_timestamp(*dy::parse_timestamp("0000-01-01T12:34:10+02:00")), "0000-01-01T10:34:10Z");
}

TEST(types, time_members_round_trip_on_every_path) {
  Event e{.id = "e-1",
          .at = dy::zoned_timestamp(dy::timestamp{sys_days{2024y / May / 1} + 12h}, 2h),
          .local_at = dy::naive_timestamp{local_days{2024y / May / 1} + 9h + 30min},
          .ended = {}};
  EXPECT_EQ(dy::to_dynamodb_json(e),
            R"({"id":{"S":"e-1"},"at":{"S":"2024-05-01T14:00:00+02:00"},"local_at":{"S":"2024-05-01T09:30:00"}})");
  auto back = dy::from_dynamodb_json<Event>(dy::to_dynamodb_json(e));
  EXPECT_EQ(back.at, e.at);
  EXPECT_EQ(back.at.offset(), 2h);
  EXPECT_EQ(back.local_at, e.local_at);
  EXPECT_EQ(dy::from_item<Event>(dy::to_item(e)).at, e.at);
  EXPECT_EQ(dy::from_json<Event>(dy::to_json(e)).local_at, e.local_at);
  // the wrong kind of time is an issue that says which kind it is
  try {
    (void)dy::from_dynamodb_json<Event>(
        R"({"id":{"S":"e"},"at":{"S":"2024-05-01T14:00:00"},"local_at":{"S":"2024-05-01T09:30:00Z"}})");
    FAIL();
  } catch (const dy::validation_error& e) {
    ASSERT_EQ(e.issues().size(), 2u);
    EXPECT_EQ(e.issues()[0].path, "at");
    EXPECT_EQ(e.issues()[0].message, "'2024-05-01T14:00:00' has no UTC offset (a naive time: use dy::naive_timestamp)");
    EXPECT_EQ(e.issues()[1].path, "local_at");
    EXPECT_EQ(e.issues()[1].message,
              "'2024-05-01T09:30:00Z' has a UTC offset (use dy::zoned_timestamp or dy::timestamp for aware times)");
  }
}

// ---------------------------------------------------------------- variants

using mixed = std::variant<std::monostate, bool, std::int64_t, double, std::string, std::vector<std::string>>;
struct Doc {
  std::string id;
  std::vector<mixed> values;
  std::map<std::string, mixed> attributes;
  std::variant<std::int64_t, dy::decimal> amount;
};
DYNANTIC_MODEL(Doc, "docs", key(id), field(values), field(attributes), field(amount))

TEST(types, variants_are_written_as_the_held_value_and_read_by_the_stored_type) {
  Doc d{.id = "d",
        .values = {std::string("a"), std::int64_t{1}, 2.5, true, std::monostate{}, std::vector<std::string>{"x"}},
        .attributes = {{"n", std::int64_t{7}}, {"s", std::string("t")}},
        .amount = dy::decimal("12.50")};
  const std::string json = dy::to_dynamodb_json(d);
  EXPECT_EQ(json, R"({"id":{"S":"d"},"values":{"L":[{"S":"a"},{"N":"1"},{"N":"2.5"},{"BOOL":true},{"NULL":true},)"
                  R"({"L":[{"S":"x"}]}]},"attributes":{"M":{"n":{"N":"7"},"s":{"S":"t"}}},"amount":{"N":"12.50"}})");
  for (const Doc& back : {dy::from_dynamodb_json<Doc>(json), dy::from_item<Doc>(dy::to_item(d))}) {
    ASSERT_EQ(back.values.size(), 6u);
    EXPECT_EQ(std::get<std::string>(back.values[0]), "a");
    EXPECT_EQ(std::get<std::int64_t>(back.values[1]), 1);  // integral: the integer alternative comes first
    EXPECT_EQ(std::get<double>(back.values[2]), 2.5);      // not integral: the next that reads it
    EXPECT_TRUE(std::get<bool>(back.values[3]));
    EXPECT_TRUE(std::holds_alternative<std::monostate>(back.values[4]));
    EXPECT_EQ(std::get<std::vector<std::string>>(back.values[5]), std::vector<std::string>{"x"});
    EXPECT_EQ(std::get<std::int64_t>(back.attributes.at("n")), 7);
    EXPECT_EQ(std::get<dy::decimal>(back.amount), dy::decimal("12.5"));
  }
  // a stored value no alternative reads is an issue at its path
  try {
    (void)dy::from_dynamodb_json<Doc>(R"({"id":{"S":"d"},"values":{"L":[]},"attributes":{"M":{}},"amount":{"S":"x"}})");
    FAIL();
  } catch (const dy::validation_error& e) {
    ASSERT_GE(e.issues().size(), 1u);
    bool found = false;
    for (const auto& i : e.issues()) {
      if (i.path == "amount") {
        found = true;
        EXPECT_EQ(i.message.rfind("no alternative of the variant reads a string (S)", 0), 0u) << i.message;
      }
    }
    EXPECT_TRUE(found) << e.what();
  }
}

// ---------------------------------------------------------------- decimal arithmetic

TEST(types, decimal_arithmetic_is_exact_or_an_error) {
  using dy::decimal;
  EXPECT_EQ((decimal("0.1") + decimal("0.2")).text(), "0.3");
  EXPECT_EQ((decimal("10.50") - decimal("0.5")).text(), "10");
  EXPECT_EQ((decimal("100") - 250).text(), "-150");
  EXPECT_EQ((decimal("1.5") * decimal("-1.5")).text(), "-2.25");
  EXPECT_EQ((decimal("19.99") * 3).text(), "59.97");
  EXPECT_EQ((-decimal("2.5")).text(), "-2.5");
  EXPECT_EQ((decimal("1") / decimal("4")).text(), "0.25");
  EXPECT_EQ((decimal("1E+100") / decimal("1E-20")).text(), "1E120");
  EXPECT_EQ((decimal("7") - decimal("7")).text(), "0");
  decimal balance("100.00");
  balance -= decimal("0.01");
  balance += 1;
  EXPECT_EQ(balance, decimal("100.99"));
  // 38 significant digits are exact; a 39th would be rounded: refused
  const decimal big("99999999999999999999999999999999999999");  // 38 nines
  EXPECT_EQ((big - 1).text(), "99999999999999999999999999999999999998");
  EXPECT_EQ(big + 1, decimal("1E38"));                               // one significant digit
  EXPECT_THROW((void)(big + decimal("0.1")), dy::arithmetic_error);  // 39 significant digits
  EXPECT_THROW((void)(decimal("1E+125") * 10), dy::arithmetic_error);
  EXPECT_THROW((void)(decimal("1E-130") / 10), dy::arithmetic_error);
  EXPECT_THROW((void)(decimal("1") / 3), dy::arithmetic_error);
  EXPECT_THROW((void)(decimal("1") / 0), dy::arithmetic_error);
  try {
    (void)(decimal("1") / 3);
  } catch (const dy::arithmetic_error& e) {
    EXPECT_STREQ(e.what(),
                 "dy::decimal: 1 / 3: the quotient does not terminate within DynamoDB's 38 significant digits");
  }
}

// ---------------------------------------------------------------- time-typed sort keys

struct Reading {
  std::string sensor;
  dy::timestamp at;
  double value = 0;
};
DYNANTIC_MODEL(Reading, "readings", key(sensor), sort_key(at), field(value))

TEST(types, time_sort_keys_are_queried_by_their_text_or_typed_values) {
  scripted_transport* t = nullptr;
  auto c = scripted_client([](const recorded_request&, std::size_t) { return ok(R"({"Items":[],"Count":0})"); }, t);
  dy::table<Reading> readings(c);
  (void)readings.query("s-1").starts_with("2024-05-01").all();  // one day, as Python Dynantic's users write it
  EXPECT_EQ(t->requests.back().body,
            R"j({"TableName":"readings","KeyConditionExpression":"#n0 = :v0 AND begins_with(#n1, :v1)",)j"
            R"("ExpressionAttributeNames":{"#n0":"sensor","#n1":"at"},)"
            R"("ExpressionAttributeValues":{":v0":{"S":"s-1"},":v1":{"S":"2024-05-01"}}})");
  (void)readings.query("s-1").between(dy::timestamp{sys_days{2024y / May / 1}}, "2024-05-02").all();
  EXPECT_EQ(
      t->requests.back().body,
      R"({"TableName":"readings","KeyConditionExpression":"#n0 = :v0 AND #n1 BETWEEN :v1 AND :v2",)"
      R"("ExpressionAttributeNames":{"#n0":"sensor","#n1":"at"},)"
      R"("ExpressionAttributeValues":{":v0":{"S":"s-1"},":v1":{"S":"2024-05-01T00:00:00Z"},":v2":{"S":"2024-05-02"}}})");
  (void)readings.scan().filter(dy::attr(&Reading::at).begins_with("2024-05")).all();
  EXPECT_NE(t->requests.back().body.find(R"j("FilterExpression":"begins_with(#n0, :v0)")j"), std::string::npos);
}

}  // namespace test_types

namespace test_types_more {
namespace dy = dynantic;

TEST(types, now_is_the_system_clock_to_the_second_or_finer) {
  auto before = std::chrono::system_clock::now();
  dy::timestamp t = dy::now();
  auto after = std::chrono::system_clock::now();
  EXPECT_LE(before - std::chrono::seconds(1), t);
  EXPECT_LE(t, after + std::chrono::seconds(1));
}

TEST(types, decimal_to_double_is_the_nearest_double) {
  EXPECT_EQ(dy::decimal("12.5").to_double(), 12.5);
  EXPECT_EQ(dy::decimal("-0.1").to_double(), -0.1);
  EXPECT_EQ(dy::decimal("1E+100").to_double(), 1e100);
  EXPECT_EQ(dy::decimal("12345678901234567890123456789012345678").to_double(),
            12345678901234567890123456789012345678.0);
}

TEST(types, binary_values_give_their_bytes) {
  const std::byte raw[] = {std::byte{0}, std::byte{0xff}, std::byte{'a'}};
  auto v = dy::attribute_value::binary(raw);
  ASSERT_TRUE(v.is_binary());
  auto bytes = v.as_binary();
  ASSERT_EQ(bytes.size(), 3u);
  EXPECT_EQ(bytes[0], std::byte{0});
  EXPECT_EQ(bytes[1], std::byte{0xff});
  EXPECT_EQ(bytes[2], std::byte{'a'});
  EXPECT_THROW((void)dy::attribute_value("text").as_binary(), std::logic_error);  // a misuse, as every accessor
}

}  // namespace test_types_more
