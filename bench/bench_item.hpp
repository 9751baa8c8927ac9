#pragma once
// The benchmark item: the shape of DESIGN.md's User and of the peer harness (~250 bytes in DynamoDB's
// size accounting, ~400 bytes of DynamoDB-JSON).
#include <cstdio>
#include <ctime>
#include <string>

#include <dynantic/value/attribute_value.hpp>

namespace dynantic::bench {

inline item user_item(int i) {
  char id[32], email[48], created[32], balance[32];
  std::snprintf(id, sizeof id, "user-%08d", i);
  std::snprintf(email, sizeof email, "user%08d@example.com", i);
  std::snprintf(balance, sizeof balance, "%d.%02d", i % 100000, i % 100);
  std::time_t t = 1700000000 + i;
  std::tm tm{};
  gmtime_r(&t, &tm);
  std::strftime(created, sizeof created, "%Y-%m-%dT%H:%M:%SZ", &tm);
  static const char* cities[] = {"Springfield", "Shelbyville", "Ogdenville", "North Haverbrook"};
  return item{
      {"user_id", std::string(id)},
      {"email", std::string(email)},
      {"name", "User " + std::to_string(i)},
      {"age", 18 + i % 60},
      {"balance", attribute_value::number(balance)},
      {"active", i % 2 == 0},
      {"tags", attribute_value::string_set({"tag-a" + std::to_string(i % 5), "tag-b" + std::to_string(i % 7),
                                            "tag-c" + std::to_string(i % 11)})},
      {"created_at", std::string(created)},
      {"profile", attribute_value::map(
                      {{"bio", "Benchmark user " + std::to_string(i) + " likes DynamoDB and C++20 object mappers."},
                       {"city", cities[i % 4]},
                       {"score", i % 1000}})},
  };
}

}  // namespace dynantic::bench
