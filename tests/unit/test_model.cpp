// Models: declaration, the type mapping of DESIGN.md §2 both ways, validation with paths, plain JSON.
#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <limits>

#include <dynantic/dynantic.hpp>

namespace test_model {
namespace dy = dynantic;
using namespace std::chrono;

enum class Status { active, inactive };
DYNANTIC_ENUM(Status, (active, "active"), (inactive, "inactive"))

struct Address {
  std::string city;
  std::optional<std::string> zip;
};
DYNANTIC_STRUCT(Address, field(city, min_length(1)), field(zip))

struct Profile {
  std::string bio;
  Address address;
  std::vector<Address> previous;
};
DYNANTIC_STRUCT(Profile, field(bio, max_length(200)), field(address), field(previous))

struct Everything {
  std::string id;
  std::int64_t seq = 0;
  std::string name;
  std::int8_t i8 = 0;
  std::int16_t i16 = 0;
  std::int32_t i32 = 0;
  std::int64_t i64 = 0;
  std::uint8_t u8 = 0;
  std::uint16_t u16 = 0;
  std::uint32_t u32 = 0;
  std::uint64_t u64 = 0;
  double d = 0;
  float f = 0;
  dy::decimal balance;
  bool flag = false;
  dy::bytes blob;
  dy::timestamp created{};
  year_month_day birthday{year{2000}, January, day{1}};
  dy::uuid ref;
  Status status{};
  std::vector<int> numbers;
  std::list<std::string> words;
  std::map<std::string, int> counts;
  std::unordered_map<std::string, double> weights;
  Profile profile;
  std::set<std::string> tags;
  std::set<std::int64_t> lucky;
  std::set<dy::decimal> prices;
  std::set<dy::bytes> keys;
  std::optional<int> age;
  std::optional<std::string> nickname;
  dy::attribute_value extra;
  dy::timestamp expires{};
  std::int64_t version = 0;
};
DYNANTIC_MODEL(Everything, "everything", key(id), sort_key(seq), field(name, stored_as("full_name")), field(i8),
               field(i16), field(i32), field(i64), field(u8), field(u16), field(u32), field(u64), field(d), field(f),
               field(balance, ge(0)), field(flag), field(blob), field(created), field(birthday), field(ref),
               field(status), field(numbers), field(words), field(counts), field(weights), field(profile), field(tags),
               field(lucky), field(prices), field(keys), field(age, ge(0), le(150)), field(nickname), field(extra),
               ttl(expires), version(version))

dy::bytes b(std::string_view s) {
  return dy::bytes(reinterpret_cast<const std::byte*>(s.data()),
                   reinterpret_cast<const std::byte*>(s.data()) + s.size());
}

Everything sample() {
  Everything e;
  e.id = "e-1";
  e.seq = 7;
  e.name = "Zoë ✓";
  e.i8 = std::numeric_limits<std::int8_t>::min();
  e.i16 = std::numeric_limits<std::int16_t>::max();
  e.i32 = std::numeric_limits<std::int32_t>::min();
  e.i64 = std::numeric_limits<std::int64_t>::min();
  e.u8 = 255;
  e.u16 = 65535;
  e.u32 = 4294967295u;
  e.u64 = std::numeric_limits<std::uint64_t>::max();
  e.d = 0.1;
  e.f = 1.5f;
  e.balance = dy::decimal("12345678901234567890.123456789012345678");
  e.flag = true;
  e.blob = b(std::string("\x00\xff", 2));
  e.created = dy::timestamp{sys_days{2024y / May / 1} + 12h + 34min + 56s + 120ms};
  e.birthday = 1815y / December / 10;
  e.ref = *dy::uuid::parse("123E4567-E89B-42D3-A456-426614174000");
  e.status = Status::inactive;
  e.numbers = {1, -2, 3};
  e.words = {"a", "b"};
  e.counts = {{"x", 1}};
  e.weights = {{"w", 2.5}};
  e.profile = {"bio", {"Bern", "3000"}, {{"Zürich", std::nullopt}}};
  e.tags = {"vip", "new"};
  e.lucky = {7, 13};
  e.prices = {dy::decimal("1.50"), dy::decimal("2")};
  e.keys = {b("k1")};
  e.age = 36;
  e.extra = dy::attribute_value::list({1, "x"});
  e.expires = dy::timestamp{sys_days{2030y / January / 1}};
  e.version = 3;
  return e;
}

TEST(model, golden_dynamodb_json) {
  Everything e = sample();
  EXPECT_EQ(
      dy::codec::write_item(dy::to_item(e)),
      R"({"age":{"N":"36"},"balance":{"N":"12345678901234567890.123456789012345678"},"birthday":{"S":"1815-12-10"},)"
      R"("blob":{"B":"AP8="},"counts":{"M":{"x":{"N":"1"}}},"created":{"S":"2024-05-01T12:34:56.120000Z"},)"
      R"("d":{"N":"0.1"},"expires":{"N":"1893456000"},"extra":{"L":[{"N":"1"},{"S":"x"}]},"f":{"N":"1.5"},)"
      R"("flag":{"BOOL":true},"full_name":{"S":"Zoë ✓"},"i16":{"N":"32767"},"i32":{"N":"-2147483648"},)"
      R"("i64":{"N":"-9223372036854775808"},"i8":{"N":"-128"},"id":{"S":"e-1"},"keys":{"BS":["azE="]},)"
      R"("lucky":{"NS":["7","13"]},"numbers":{"L":[{"N":"1"},{"N":"-2"},{"N":"3"}]},"prices":{"NS":["1.50","2"]},)"
      R"("profile":{"M":{"address":{"M":{"city":{"S":"Bern"},"zip":{"S":"3000"}}},"bio":{"S":"bio"},)"
      R"("previous":{"L":[{"M":{"city":{"S":"Zürich"}}}]}}},"ref":{"S":"123e4567-e89b-42d3-a456-426614174000"},)"
      R"("seq":{"N":"7"},"status":{"S":"inactive"},"tags":{"SS":["new","vip"]},"u16":{"N":"65535"},)"
      R"("u32":{"N":"4294967295"},"u64":{"N":"18446744073709551615"},"u8":{"N":"255"},"version":{"N":"3"},)"
      R"("weights":{"M":{"w":{"N":"2.5"}}},"words":{"L":[{"S":"a"},{"S":"b"}]}})");
}

// Found by fuzz/model.cpp: malformed JSON inside an attribute the model does not have was accepted.
TEST(model, malformed_json_is_refused_also_where_the_model_does_not_read) {
  std::string text = R"({"id":{"S":"a"},"seq":{"N":"1"},"not_in_the_model":{"NS":["1")";
  text += '\x01';
  text += R"(,"2"]}})";
  EXPECT_THROW((void)dy::from_dynamodb_json<Everything>(text), dy::decode_error);
  EXPECT_THROW((void)dy::codec::read_item(text), dy::decode_error);
}

TEST(model, round_trip_every_type) {
  Everything e = sample();
  Everything back = dy::from_item<Everything>(dy::codec::read_item(dy::codec::write_item(dy::to_item(e))));
  EXPECT_EQ(dy::to_item(back), dy::to_item(e));
  EXPECT_EQ(back.u64, std::numeric_limits<std::uint64_t>::max());
  EXPECT_EQ(back.i64, std::numeric_limits<std::int64_t>::min());
  EXPECT_EQ(back.balance.text(), "12345678901234567890.123456789012345678");
  EXPECT_EQ(back.created, e.created);
  EXPECT_EQ(back.profile.previous.at(0).zip, std::nullopt);
  EXPECT_EQ(back.status, Status::inactive);
}

TEST(model, empty_sets_and_optionals_are_omitted_and_read_back_empty) {
  Everything e = sample();
  e.tags.clear();
  e.age.reset();
  e.nickname.reset();
  auto it = dy::to_item(e);
  EXPECT_EQ(it.count("tags"), 0u);
  EXPECT_EQ(it.count("age"), 0u);
  EXPECT_EQ(it.count("nickname"), 0u);
  auto back = dy::from_item<Everything>(it);
  EXPECT_TRUE(back.tags.empty());
  EXPECT_FALSE(back.age);
}

TEST(model, doubles_are_shortest_round_trip_and_checked) {
  Everything e = sample();
  for (double d : {0.1, 1e-130, 123456.789, -2.5e100, 5e-324 * 0 + 1.7976931348623157e+125}) {
    e.d = d;
    auto back = dy::from_item<Everything>(dy::to_item(e));
    EXPECT_EQ(back.d, d);
  }
  e.d = std::numeric_limits<double>::quiet_NaN();
  EXPECT_THROW(dy::to_item(e), dy::validation_error);
  e.d = std::numeric_limits<double>::infinity();
  EXPECT_THROW(dy::to_item(e), dy::validation_error);
  e.d = 1e200;  // beyond DynamoDB's 9.99E+125
  EXPECT_THROW(dy::to_item(e), dy::validation_error);
  e.d = 1e-200;
  EXPECT_THROW(dy::to_item(e), dy::validation_error);
}

TEST(model, read_collects_every_issue_with_paths) {
  auto it = dy::to_item(sample());
  it["i8"] = dy::attribute_value::number("128");                         // out of range
  it["u64"] = dy::attribute_value::number("-1");                         // negative
  it["i32"] = dy::attribute_value::number("1.5");                        // not an integer
  it["status"] = "archived";                                             // unknown enum string
  it["created"] = "yesterday";                                           // not a time
  it["age"] = 200;                                                       // constraint
  it.erase("full_name");                                                 // required, missing
  it["profile"].as_map()["address"].as_map()["city"] = "";               // nested constraint
  it["profile"].as_map()["previous"].as_list()[0].as_map()["city"] = 5;  // nested type
  it["lucky"] = dy::attribute_value::string_set({"x"});                  // wrong set type
  try {
    (void)dy::from_item<Everything>(it);
    FAIL();
  } catch (const dy::validation_error& e) {
    std::map<std::string, std::string> by_path;
    for (const auto& i : e.issues()) by_path[i.path] = i.message;
    EXPECT_EQ(by_path.size(), 10u) << e.what();
    EXPECT_EQ(by_path["i8"], "'128' is out of range for a 8-bit integer");
    EXPECT_EQ(by_path["u64"], "'-1' is out of range for an unsigned 64-bit integer");
    EXPECT_EQ(by_path["i32"], "'1.5' is not an integer");
    EXPECT_EQ(by_path["status"], "'archived' is not one of 'active', 'inactive'");
    EXPECT_NE(by_path["created"].find("not an ISO-8601 time"), std::string::npos);
    EXPECT_EQ(by_path["age"], "must be <= 150");
    EXPECT_EQ(by_path["full_name"], "required attribute is missing");
    EXPECT_EQ(by_path["profile.address.city"], "length must be at least 1 (got 0)");
    EXPECT_EQ(by_path["profile.previous[0].city"], "expected a string (S), got a number (N)");
    EXPECT_EQ(by_path["lucky"], "expected a number set (NS), got a string set (SS)");
  }
}

TEST(model, write_validation_collects_every_issue) {
  Everything e = sample();
  e.balance = dy::decimal("-1");
  e.age = -5;
  e.profile.address.city = "";
  e.profile.bio = std::string(201, 'x');
  try {
    (void)dy::to_item(e);
    FAIL();
  } catch (const dy::validation_error& err) {
    ASSERT_EQ(err.issues().size(), 4u) << err.what();
    EXPECT_EQ(err.issues()[0].path, "balance");
    EXPECT_EQ(err.issues()[0].message, "must be >= 0");
  }
}

TEST(model, integers_accept_dynamodb_normal_forms) {
  auto it = dy::to_item(sample());
  it["i64"] = dy::attribute_value::number("1.2E3");
  it["u8"] = dy::attribute_value::number("25.00");
  auto e = dy::from_item<Everything>(it);
  EXPECT_EQ(e.i64, 1200);
  EXPECT_EQ(e.u8, 25);
}

TEST(model, timestamps_text_like_python) {
  using dy::format_timestamp;
  using dy::parse_timestamp;
  dy::timestamp t{sys_days{2024y / May / 1} + 12h + 34min + 56s};
  EXPECT_EQ(format_timestamp(t), "2024-05-01T12:34:56Z");
  EXPECT_EQ(format_timestamp(t + 120ms), "2024-05-01T12:34:56.120000Z");
  EXPECT_EQ(format_timestamp(t + 1us), "2024-05-01T12:34:56.000001Z");
  EXPECT_EQ(parse_timestamp("2024-05-01T12:34:56Z"), t);
  EXPECT_EQ(parse_timestamp("2024-05-01T12:34:56+00:00"), t);
  EXPECT_EQ(parse_timestamp("2024-05-01T14:34:56+02:00"), t);
  EXPECT_EQ(parse_timestamp("2024-05-01T07:04:56-05:30"), t);
  EXPECT_EQ(parse_timestamp("2024-05-01T12:34:56"), t);  // naive = UTC
  EXPECT_EQ(parse_timestamp("2024-05-01 12:34:56.12Z"), t + 120ms);
  EXPECT_EQ(parse_timestamp("2024-05-01T12:34:56.123456789Z"), t + 123456us);
  for (auto bad : {"", "2024-05-01", "2024-13-01T00:00:00Z", "2024-02-30T00:00:00Z", "2024-05-01T24:00:00Z",
                   "2024-05-01T12:34:56.Z", "2024-05-01T12:34:56+0200", "2024-05-01T12:34:56Zjunk"}) {
    EXPECT_FALSE(parse_timestamp(bad)) << bad;
  }
  EXPECT_EQ(dy::format_date(2024y / February / 29), "2024-02-29");
  EXPECT_FALSE(dy::parse_date("2023-02-29"));
}

TEST(model, decimal_compares_by_value) {
  EXPECT_EQ(dy::decimal("1.50"), dy::decimal("1.5"));
  EXPECT_LT(dy::decimal("-2"), dy::decimal("-1.5"));
  EXPECT_LT(dy::decimal("0.001"), dy::decimal("1E-2"));
  EXPECT_GT(dy::decimal("1E+10"), dy::decimal("9999999999"));
  EXPECT_EQ(dy::decimal("0"), dy::decimal("-0.0"));
  EXPECT_THROW(dy::decimal("abc"), dy::validation_error);
  EXPECT_THROW(dy::decimal("1E200"), dy::validation_error);
}

TEST(model, uuid_text) {
  auto u = dy::uuid::v4();
  auto s = u.to_string();
  EXPECT_EQ(s.size(), 36u);
  EXPECT_EQ(s[14], '4');
  EXPECT_EQ(dy::uuid::parse(s), u);
  EXPECT_FALSE(dy::uuid::parse("123e4567-e89b-42d3-a456-42661417400"));
  EXPECT_FALSE(dy::uuid::parse("123e4567-e89b-42d3-a456_426614174000"));
  EXPECT_FALSE(dy::uuid::parse("g23e4567-e89b-42d3-a456-426614174000"));
  EXPECT_NE(dy::uuid::v4(), dy::uuid::v4());
}

TEST(model, plain_json_round_trip) {
  Everything e = sample();
  std::string json = dy::to_json(e);
  EXPECT_NE(json.find(R"("balance":12345678901234567890.123456789012345678)"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("tags":["new","vip"])"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("blob":"AP8=")"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("created":"2024-05-01T12:34:56.120000Z")"), std::string::npos) << json;
  Everything back = dy::from_json<Everything>(json);
  EXPECT_EQ(dy::to_item(back), dy::to_item(e));
}

TEST(model, plain_json_validation_and_malformed_input) {
  EXPECT_THROW(dy::from_json<Everything>("{"), dy::decode_error);
  EXPECT_THROW(dy::from_json<Everything>("[]"), dy::decode_error);
  EXPECT_THROW(dy::from_json<Everything>(R"({"id":"x"} trailing)"), dy::decode_error);
  try {
    (void)dy::from_json<Everything>(R"({"id":"x","seq":1.5,"full_name":"n","tags":["a","a"],"age":"old"})");
    FAIL();
  } catch (const dy::validation_error& e) {
    std::map<std::string, std::string> by_path;
    for (const auto& i : e.issues()) by_path[i.path] = i.message;
    EXPECT_EQ(by_path["seq"], "'1.5' is not an integer");
    EXPECT_EQ(by_path["tags[1]"], "duplicate element in a set");
    EXPECT_EQ(by_path["age"], "expected a number (N), got a string (S)");
    EXPECT_EQ(by_path["balance"], "required attribute is missing");
  }
  // Pydantic writes decimals as strings: accepted on input
  std::string json = dy::to_json(sample());
  auto pos = json.find("12345678901234567890.123456789012345678");
  json.replace(pos, 39, "\"12345678901234567890.123456789012345678\"");
  EXPECT_EQ(dy::from_json<Everything>(json).balance.text(), "12345678901234567890.123456789012345678");
}

// The fast path (model <-> DynamoDB-JSON text without an item tree) must agree with the item path.
std::set<std::pair<std::string, std::string>> issue_set(const std::function<void()>& f) {
  try {
    f();
  } catch (const dy::validation_error& e) {
    std::set<std::pair<std::string, std::string>> s;
    for (const auto& i : e.issues()) s.insert({i.path, i.message});
    return s;
  }
  ADD_FAILURE() << "no validation_error";
  return {};
}

TEST(model, json_path_matches_item_path) {
  Everything e = sample();
  std::string wire = dy::to_dynamodb_json(e);
  EXPECT_EQ(dy::codec::read_item(wire), dy::to_item(e));
  Everything back = dy::from_dynamodb_json<Everything>(wire);
  EXPECT_EQ(dy::to_item(back), dy::to_item(e));
  EXPECT_EQ(dy::to_item(dy::from_dynamodb_json<Everything>(dy::codec::write_item(dy::to_item(e)))), dy::to_item(e));
  e.tags.clear();
  e.age.reset();
  EXPECT_EQ(dy::codec::read_item(dy::to_dynamodb_json(e)), dy::to_item(e));
}

TEST(model, json_path_reports_the_same_issues) {
  auto it = dy::to_item(sample());
  it["i8"] = dy::attribute_value::number("128");
  it["u64"] = dy::attribute_value::number("-1");
  it["i32"] = dy::attribute_value::number("1.5");
  it["status"] = "archived";
  it["created"] = "yesterday";
  it["age"] = 200;
  it.erase("full_name");
  it["profile"].as_map()["address"].as_map()["city"] = "";
  it["profile"].as_map()["previous"].as_list()[0].as_map()["city"] = 5;
  it["lucky"] = dy::attribute_value::string_set({"x"});
  it["numbers"] = dy::attribute_value::list({1, "two"});
  it["weights"] = dy::attribute_value::map({{"w", true}});
  auto via_item = issue_set([&] { (void)dy::from_item<Everything>(it); });
  auto via_ddb = issue_set([&] { (void)dy::from_dynamodb_json<Everything>(dy::codec::write_item(it)); });
  EXPECT_EQ(via_item.size(), 12u);
  EXPECT_EQ(via_item, via_ddb);

  Everything e = sample();
  e.balance = dy::decimal("-1");
  e.d = std::numeric_limits<double>::infinity();
  e.profile.address.city = "";
  e.name = "bad \xff";
  auto w_item = issue_set([&] { (void)dy::to_item(e); });
  std::string out = "keep";
  auto w_ddb = issue_set([&] { dy::append_dynamodb_json(out, e); });
  EXPECT_EQ(w_item.size(), 4u);
  EXPECT_EQ(w_item, w_ddb);
  EXPECT_EQ(out, "keep");  // nothing half-written
}

// The writer writes through a pointer into room it makes at the string's end: appending after other text,
// into a string with much more capacity than the item (a batch's request body), through escapes, binary and
// the attribute_value path, gives the same text as a fresh string, and a failure leaves the text as it was.
TEST(model, json_appended_to_a_large_buffer_is_the_same_text) {
  Everything e = sample();
  e.name = "quote\" backslash\\ ctl\x01 日本 end";
  e.extra = dy::attribute_value::map({{"k", "v\n"}, {"n", 1}});
  const std::string alone = dy::to_dynamodb_json(e);
  EXPECT_EQ(dy::codec::read_item(alone), dy::to_item(e));
  for (std::size_t reserve : {std::size_t{0}, std::size_t{10}, alone.size(), std::size_t{1} << 20}) {
    std::string out = "{\"before\":1}";
    out.reserve(reserve);
    dy::append_dynamodb_json(out, e);
    EXPECT_EQ(out, "{\"before\":1}" + alone) << reserve;
    dy::append_dynamodb_json(out, e);  // a second item after the first
    EXPECT_EQ(out, "{\"before\":1}" + alone + alone) << reserve;
    std::string kept = out;
    Everything bad = e;
    bad.profile.address.city = "";
    EXPECT_THROW(dy::append_dynamodb_json(out, bad), dy::validation_error);
    EXPECT_EQ(out, kept) << reserve;  // nothing half-written, the size as before
  }
}

TEST(model, json_decode_rejects_malformed_text) {
  // text that is not DynamoDB-JSON at all is a decode_error (not a validation_error of some member)
  for (std::string bad : {"", "[]", R"({"id":{"S":"x","N":"1"}})", R"({"id":{"Q":"x"}})", R"({"id":{"S":1}})"}) {
    EXPECT_THROW((void)dy::from_dynamodb_json<Everything>(bad), dy::decode_error) << bad;
  }
  // well-formed DynamoDB-JSON whose B value is not base64: an issue of that member, with the others'
  try {
    (void)dy::from_dynamodb_json<Everything>(R"({"blob":{"B":"!!"}})");
    FAIL() << "expected validation_error";
  } catch (const dy::validation_error& e) {
    bool found = false;
    for (const auto& i : e.issues()) found |= i.path == "blob" && i.message == "B value is not valid base64";
    EXPECT_TRUE(found) << e.what();
  }
  EXPECT_THROW((void)dy::from_dynamodb_json<Everything>("{"), dy::decode_error);
}

// Constraints of every kind
struct Signup {
  std::string id;
  std::string email;
  std::string plan;
  int seats = 1;
  std::string code;
  std::vector<std::string> invites;
  dy::decimal price{0};
};
DYNANTIC_MODEL(Signup, "signups", key(id), field(email, pattern(R"([^@\s]+@[^@\s]+\.[a-z]+)")),
               field(plan, one_of("free", "pro")), field(seats, gt(0), lt(1000)),
               field(code, check([](const std::string& s) { return s.size() % 2 == 0; }, "must have an even length")),
               field(invites, max_length(2)), field(price, le("99.99")), forbid_unknown())

TEST(model, constraints) {
  Signup ok{"s1", "a@b.io", "pro", 5, "ab", {"x"}, dy::decimal("10")};
  EXPECT_NO_THROW(dy::validate(ok));
  Signup bad{"s1", "not-an-email", "gold", 1000, "abc", {"x", "y", "z"}, dy::decimal("100")};
  try {
    dy::validate(bad);
    FAIL();
  } catch (const dy::validation_error& e) {
    std::map<std::string, std::string> by_path;
    for (const auto& i : e.issues()) by_path[i.path] = i.message;
    EXPECT_EQ(by_path.size(), 6u) << e.what();
    EXPECT_NE(by_path["email"].find("must match the pattern"), std::string::npos);
    EXPECT_EQ(by_path["plan"], "must be one of 'free', 'pro'");
    EXPECT_EQ(by_path["seats"], "must be < 1000");
    EXPECT_EQ(by_path["code"], "must have an even length");
    EXPECT_EQ(by_path["invites"], "length must be at most 2 (got 3)");
    EXPECT_EQ(by_path["price"], "must be <= 99.99");
  }
  auto it = dy::to_item(ok);
  it["surprise"] = 1;
  try {
    (void)dy::from_item<Signup>(it);
    FAIL();
  } catch (const dy::validation_error& e) {
    EXPECT_EQ(e.issues().at(0).path, "surprise");
  }
}

TEST(model, unknown_attributes_ignored_by_default) {
  auto it = dy::to_item(sample());
  it["added_later"] = "whatever";
  EXPECT_NO_THROW((void)dy::from_item<Everything>(it));
}

// Members added to a model after items were stored: absent attributes read as the declared default, on every
// decode path (item, DynamoDB-JSON, plain JSON) and in nested structs.
struct Stats {
  int wins = 0;
  int streak = 2;
};
DYNANTIC_STRUCT(Stats, field(wins), field(streak, default_initializer))
struct Evolved {
  std::string id;
  int points = 0;
  std::string league;
  dy::decimal credit;
  Stats stats;
};
DYNANTIC_MODEL(Evolved, "evolved", key(id), field(points, default_value(10)), field(league, default_value("bronze")),
               field(credit, default_value("0.50")), field(stats, default_value(Stats{.wins = 1, .streak = 0})))

TEST(model, absent_members_read_as_their_declared_defaults) {
  const dy::item old{{"id", "e-1"}};
  for (const Evolved& e : {dy::from_item<Evolved>(old), dy::from_dynamodb_json<Evolved>(R"({"id":{"S":"e-1"}})"),
                           dy::from_json<Evolved>(R"({"id":"e-1"})")}) {
    EXPECT_EQ(e.points, 10);
    EXPECT_EQ(e.league, "bronze");
    EXPECT_EQ(e.credit, dy::decimal("0.5"));
    EXPECT_EQ(e.stats.wins, 1);
    EXPECT_EQ(e.stats.streak, 0);
  }
  // a nested struct stored before `streak` existed: its initializer
  auto with_stats = dy::from_dynamodb_json<Evolved>(R"({"id":{"S":"e-2"},"stats":{"M":{"wins":{"N":"4"}}}})");
  EXPECT_EQ(with_stats.stats.wins, 4);
  EXPECT_EQ(with_stats.stats.streak, 2);
  // present attributes win, and are still checked
  auto stored = dy::from_dynamodb_json<Evolved>(R"({"id":{"S":"e-3"},"points":{"N":"0"},"league":{"S":"gold"}})");
  EXPECT_EQ(stored.points, 0);
  EXPECT_EQ(stored.league, "gold");
  EXPECT_THROW((void)dy::from_dynamodb_json<Evolved>(R"({"id":{"S":"e-4"},"points":{"S":"x"}})"), dy::validation_error);
  // without a default, the same absence is an issue at the member's path
  try {
    (void)dy::from_dynamodb_json<Evolved>(R"({"id":{"S":"e-5"},"stats":{"M":{"streak":{"N":"1"}}}})");
    FAIL();
  } catch (const dy::validation_error& e) {
    ASSERT_EQ(e.issues().size(), 1u);
    EXPECT_EQ(e.issues()[0].path, "stats.wins");
    EXPECT_EQ(e.issues()[0].message, "required attribute is missing");
  }
}

// Declarations inside a namespace, on a derived struct, reusing base members.
namespace inner {
struct Base {
  std::string pk;
};
struct Derived : Base {
  int n = 0;
};
DYNANTIC_MODEL(Derived, "derived", key(pk), field(n, ge(0)))
}  // namespace inner

TEST(model, works_in_namespaces_and_with_bases) {
  inner::Derived d;
  d.pk = "p";
  d.n = 3;
  auto it = dy::to_item(d);
  EXPECT_EQ(it.at("pk").as_string(), "p");
  EXPECT_EQ(dy::from_item<inner::Derived>(it).n, 3);
  static_assert(dy::model<inner::Derived>);
  static_assert(!dy::model<Address>);  // a nested struct is not a model: it has no table
}

}  // namespace test_model
