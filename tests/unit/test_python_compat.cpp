// Items written by Python Dynantic read back in C++ unchanged, and dynantic writes the same item for the same
// values (numbers compared by value, sets as sets). The Python side is tests/tools/python_dynantic_item.py:
// Dynantic's documented conversions, serialized by Debian's python3-boto3 (scripts/test installs it).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>

#include <dynantic/dynantic.hpp>

namespace test_python_compat {
namespace dy = dynantic;
using namespace std::chrono;

enum class Status { active, inactive };
DYNANTIC_ENUM(Status, (active, "active"), (inactive, "inactive"))

struct Address {
  std::string city;
  std::optional<std::string> zip;
};
DYNANTIC_STRUCT(Address, field(city), field(zip))

using scalar = std::variant<std::monostate, bool, std::int64_t, double, std::string>;

struct PyItem {
  std::string id;
  std::string text;
  int count = 0;
  int negative = 0;
  std::int64_t big = 0;
  double ratio = 0;
  double tenth = 0;
  dy::decimal price;
  bool flag = false;
  dy::bytes raw;
  dy::timestamp at_utc{};
  dy::timestamp at_utc_us{};
  dy::zoned_timestamp at_plus2;
  dy::zoned_timestamp at_minus530;
  dy::naive_timestamp naive{};
  dy::naive_timestamp naive_us{};
  year_month_day day{};
  dy::uuid ref;
  Status status{};
  std::vector<scalar> mixed;
  std::map<std::string, std::variant<std::int64_t, std::string>> attrs;
  std::set<std::string> tags;
  std::set<std::int64_t> lucky;
  std::set<double> weights;
  std::set<dy::bytes> keys;
  std::optional<std::string> nothing;
  Address address;
};
DYNANTIC_MODEL(PyItem, "py_items", key(id), field(text), field(count), field(negative), field(big), field(ratio),
               field(tenth), field(price), field(flag), field(raw), field(at_utc), field(at_utc_us), field(at_plus2),
               field(at_minus530), field(naive), field(naive_us), field(day), field(ref), field(status), field(mixed),
               field(attrs), field(tags), field(lucky), field(weights), field(keys), field(nothing), field(address))

dy::bytes b(std::string_view s) {
  return dy::bytes(reinterpret_cast<const std::byte*>(s.data()),
                   reinterpret_cast<const std::byte*>(s.data()) + s.size());
}

// The same values as the Python script's model.
PyItem expected() {
  const dy::timestamp utc{sys_days{2024y / May / 1} + 12h + 34min + 56s};
  return PyItem{.id = "py-1",
                .text = "h\u00e9llo \u2713",
                .count = 42,
                .negative = -7,
                .big = 9223372036854775807LL,
                .ratio = 2.5,
                .tenth = 0.1,
                .price = dy::decimal("12.50"),
                .flag = true,
                .raw = b(std::string_view("\x00\xff"
                                          "bin",
                                          5)),
                .at_utc = utc,
                .at_utc_us = utc + 120ms,
                .at_plus2 = dy::zoned_timestamp(utc, 2h),
                .at_minus530 = dy::zoned_timestamp(utc + 1us, -(5h + 30min)),
                .naive = dy::naive_timestamp{local_days{2024y / May / 1} + 12h + 34min + 56s},
                .naive_us = dy::naive_timestamp{local_days{2024y / May / 1} + 12h + 34min + 56s + 500us},
                .day = 2024y / February / 29,
                .ref = *dy::uuid::parse("123e4567-e89b-42d3-a456-426614174000"),
                .status = Status::inactive,
                .mixed = {std::string("a"), std::int64_t{1}, 2.5, true, std::monostate{}},
                .attrs = {{"x", std::int64_t{1}}, {"y", std::string("z")}},
                .tags = {"a", "b"},
                .lucky = {3, 7},
                .weights = {1.5, 2.25},
                .keys = {b("k1"), b("k2")},
                .nothing = std::nullopt,
                .address = {.city = "Paris", .zip = std::nullopt}};
}

std::string python_item() {
  FILE* p = popen("/usr/bin/python3 " DYNANTIC_PYTHON_COMPAT_SCRIPT " 2>&1", "r");
  if (!p) return {};
  char buf[4096];
  std::string out;
  while (std::size_t n = fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  const int rc = pclose(p);
  EXPECT_EQ(rc, 0) << "python3-boto3 failed (scripts/test installs it); its output: " << out;
  return out;
}

// Equal as DynamoDB stores them: numbers by value, set elements in any order.
void compare(const dy::attribute_value& want, const dy::attribute_value& got, const std::string& path) {
  ASSERT_EQ(want.type(), got.type()) << path;
  switch (want.type()) {
    case dy::value_type::n:
      EXPECT_EQ(dy::decimal(want.as_number_text()), dy::decimal(got.as_number_text()))
          << path << ": " << want.as_number_text() << " vs " << got.as_number_text();
      break;
    case dy::value_type::ns: {
      std::vector<dy::decimal> a, c;
      for (const auto& e : want.as_set()) a.emplace_back(e);
      for (const auto& e : got.as_set()) c.emplace_back(e);
      std::sort(a.begin(), a.end());
      std::sort(c.begin(), c.end());
      EXPECT_EQ(a, c) << path;
      break;
    }
    case dy::value_type::ss:
    case dy::value_type::bs: {
      auto a = want.as_set(), c = got.as_set();
      std::sort(a.begin(), a.end());
      std::sort(c.begin(), c.end());
      EXPECT_EQ(a, c) << path;
      break;
    }
    case dy::value_type::l:
      ASSERT_EQ(want.as_list().size(), got.as_list().size()) << path;
      for (std::size_t i = 0; i < want.as_list().size(); ++i) {
        compare(want.as_list()[i], got.as_list()[i], path + "[" + std::to_string(i) + "]");
      }
      break;
    case dy::value_type::m: {
      std::vector<std::string> a, c;
      for (const auto& [k, v] : want.as_map()) a.push_back(k);
      for (const auto& [k, v] : got.as_map()) c.push_back(k);
      ASSERT_EQ(a, c) << path;
      for (const auto& [k, v] : want.as_map()) compare(v, got.as_map().at(k), path + "." + k);
      break;
    }
    default: EXPECT_EQ(want, got) << path;
  }
}

TEST(python_compat, dynantic_reads_what_python_dynantic_writes) {
  const std::string json = python_item();
  ASSERT_FALSE(json.empty());
  const PyItem got = dy::from_dynamodb_json<PyItem>(json);
  const PyItem want = expected();
  EXPECT_EQ(got.text, want.text);
  EXPECT_EQ(got.count, want.count);
  EXPECT_EQ(got.negative, want.negative);
  EXPECT_EQ(got.big, want.big);
  EXPECT_EQ(got.ratio, want.ratio);
  EXPECT_EQ(got.tenth, want.tenth);
  EXPECT_EQ(got.price.text(), "12.50");
  EXPECT_EQ(got.flag, want.flag);
  EXPECT_EQ(got.raw, want.raw);
  EXPECT_EQ(got.at_utc, want.at_utc);
  EXPECT_EQ(got.at_utc_us, want.at_utc_us);
  EXPECT_EQ(got.at_plus2, want.at_plus2);
  EXPECT_EQ(got.at_plus2.offset(), 2h);
  EXPECT_EQ(got.at_minus530, want.at_minus530);
  EXPECT_EQ(got.naive, want.naive);
  EXPECT_EQ(got.naive_us, want.naive_us);
  EXPECT_EQ(got.day, want.day);
  EXPECT_EQ(got.ref, want.ref);
  EXPECT_EQ(got.status, want.status);
  EXPECT_EQ(got.mixed, want.mixed);
  EXPECT_EQ(got.attrs, want.attrs);
  EXPECT_EQ(got.tags, want.tags);
  EXPECT_EQ(got.lucky, want.lucky);
  EXPECT_EQ(got.weights, want.weights);
  EXPECT_EQ(got.keys, want.keys);
  EXPECT_FALSE(got.nothing);
  EXPECT_EQ(got.address.city, "Paris");
  EXPECT_FALSE(got.address.zip);
}

TEST(python_compat, dynantic_writes_what_python_dynantic_writes) {
  const std::string json = python_item();
  ASSERT_FALSE(json.empty());
  const dy::item python = dy::codec::read_item(json);
  const dy::item ours = dy::to_item(expected());
  compare(dy::attribute_value::map(python), dy::attribute_value::map(ours), "item");
  // and byte for byte where the text is the same by construction (no number spelled two ways)
  EXPECT_EQ(dy::codec::read_item(dy::to_dynamodb_json(expected())), ours);
}

}  // namespace test_python_compat
