#pragma once
// A model with a member of every kind the model codec reads, for the fuzz targets that decode typed items.
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <dynantic/dynantic.hpp>

namespace fuzz_models {
namespace dy = dynantic;

enum class Tier { free, pro };
DYNANTIC_ENUM(Tier, (free, "free"), (pro, "pro"))

struct Address {
  std::string city;
  std::optional<std::string> zip;
  bool operator==(const Address&) const = default;
};
DYNANTIC_STRUCT(Address, field(city, min_length(1)), field(zip))

struct Wide {
  std::string id;
  std::int64_t seq = 0;
  std::int32_t i32 = 0;
  std::uint16_t u16 = 0;
  double d = 0;
  dy::decimal amount;
  bool flag = false;
  dy::bytes blob;
  dy::timestamp at{};
  std::optional<dy::zoned_timestamp> zoned;
  std::optional<dy::naive_timestamp> naive;
  std::chrono::year_month_day day{std::chrono::year{2000}, std::chrono::January, std::chrono::day{1}};
  std::optional<dy::uuid> ref;
  Tier tier{};
  std::vector<std::int64_t> numbers;
  std::map<std::string, std::string> labels;
  std::set<std::string> tags;
  std::set<dy::decimal> prices;
  std::set<dy::bytes> keys;
  Address address;
  std::vector<Address> previous;
  std::optional<std::int32_t> age;
  dy::attribute_value extra;
  bool operator==(const Wide&) const = default;
};
DYNANTIC_MODEL(Wide, "wide", key(id), sort_key(seq), field(i32), field(u16), field(d), field(amount), field(flag),
               field(blob), field(at), field(zoned), field(naive), field(day), field(ref), field(tier), field(numbers),
               field(labels), field(tags), field(prices), field(keys), field(address), field(previous),
               field(age, ge(0), le(150)), field(extra))

}  // namespace fuzz_models
